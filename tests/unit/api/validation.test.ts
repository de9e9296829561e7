// The API rejects bad inputs with errors that name the field, before touching the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { WorkbenchService } from '../../../src/main/api';
import { API_METHODS, apiSchemas, parseInput } from '../../../src/shared/api';
import { MODEL_KINDS } from '../../../src/main/engine/registry';
import { fileTempDir } from '../../helpers/temp';

const dir = fileTempDir('micro-api-val-');
let service: WorkbenchService;

beforeAll(() => {
  service = new WorkbenchService({ storePath: path.join(dir, 'runs.sqlite'), mode: 'browser' });
});
afterAll(() => service.close());

async function errorOf(method: string, input: unknown) {
  const r = await service.call(method, input);
  expect(r.ok).toBe(false);
  return (r as { error: { code: string; message: string } }).error;
}

describe('input validation', () => {
  it('names the field and what was expected', async () => {
    expect(await errorOf('getRun', { runId: 'x' })).toEqual({ code: 'INVALID_INPUT', message: 'runId: expected a positive integer' });
    expect((await errorOf('getRun', {})).message).toBe('runId: expected a positive integer');
    expect((await errorOf('getRun', { runId: 0 })).message).toBe('runId: expected a positive integer');
    expect((await errorOf('getRun', { runId: 1.5 })).message).toBe('runId: expected a positive integer');
    expect((await errorOf('cancelRun', undefined)).message).toMatch(/^input: /);
    expect((await errorOf('itemNeighbours', { runId: 1, item: -1 })).message).toBe('item: expected an integer ≥ 0');
    expect((await errorOf('itemNeighbours', { runId: 1, item: 2, stage: 'final' })).message).toBe('stage: expected one of initial, learned, combined');
    expect((await errorOf('userView', { runId: 1, user: 0, k: 1000 })).message).toBe('k: expected an integer between 1 and 100');
    expect((await errorOf('exportRun', { runId: 1, what: 'weights' })).message).toBe('what: expected one of embeddings, graphs, metrics, attention, recommendations');
    expect((await errorOf('renameRun', { runId: 1, name: '   ' })).message).toBe('name: expected a non-empty name');
    expect((await errorOf('compareRuns', { runIds: [] })).message).toBe('runIds: expected at least one run id');
    expect((await errorOf('compareRuns', { runIds: [1, -2] })).message).toBe('runIds.1: expected a positive integer');
    expect((await errorOf('importDataset', { path: '' })).message).toBe('path: expected a folder or file path');
    expect((await errorOf('startRun', { dataset: 'demo', model: 'bert4rec' })).message).toBe(`model: expected one of ${MODEL_KINDS.join(', ')}`);
    expect((await errorOf('startRun', { dataset: 'demo', trainOverrides: 3 })).message).toBe('trainOverrides: expected an object of training options (name → value)');
  });

  it('reports several problems at once and refuses unknown keys', async () => {
    const e = await errorOf('itemNeighbours', { runId: -1, item: 'a' });
    expect(e.message).toBe('runId: expected a positive integer; item: expected an integer ≥ 0');
    expect((await errorOf('getRun', { runId: 1, extra: true })).message).toMatch(/input: Unrecognized key.*extra/);
  });

  it('rejects unknown methods and missing records with their own codes', async () => {
    expect(await errorOf('dropTables', {})).toEqual({ code: 'NOT_FOUND', message: 'unknown API method "dropTables"' });
    expect(await errorOf('getRun', { runId: 99 })).toEqual({ code: 'NOT_FOUND', message: 'run 99 not found' });
    expect((await errorOf('datasetInfo', { dataset: 'nope' })).message).toMatch(/dataset "nope" not found/);
    expect((await errorOf('importDataset', { path: path.join(dir, 'missing') })).message).toMatch(/^path: .* does not exist$/);
  });

  it('validates hyperparameters with the engine schema, naming the field', async () => {
    const r = await service.api().validateRun({ dataset: 'x', model: 'micro', modelOverrides: { lambda: 2, topK: 0 }, trainOverrides: { epochs: -1 } });
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/epochs|lambda/);
    const ok = await service.api().validateRun({ dataset: 'x', model: 'micro', preset: 'reference' });
    expect(ok.ok).toBe(true);
    expect(ok.resolved?.modelConfig.lambda).toBe(0.9);
  });

  it('applies defaults and serves the model list of the engine registry', async () => {
    expect(parseInput('itemNeighbours', { runId: 3, item: 0 })).toEqual({ runId: 3, item: 0, stage: 'combined' });
    expect(parseInput('listRuns', undefined)).toBeUndefined();
    expect((await service.api().appInfo()).modelKinds).toEqual([...MODEL_KINDS]);
    expect((await service.api().modelOptions()).models.map((m) => m.model)).toEqual([...MODEL_KINDS]);
    expect(API_METHODS.length).toBe(Object.keys(apiSchemas).length);
  });

  it('describes every hyperparameter of every model for the form', async () => {
    const o = await service.api().modelOptions();
    const micro = o.models.find((m) => m.model === 'micro')!;
    const keys = micro.fields.map((f) => f.key);
    for (const k of ['embedDim', 'topK', 'lambda', 'tau', 'betaC', 'betaS', 'itemLayers', 'fusion', 'modalities']) expect(keys).toContain(k);
    expect(micro.fields.find((f) => f.key === 'lambda')).toMatchObject({ type: 'number', min: 0, max: 1 });
    expect(micro.defaults.paper.lambda).toBe(0.7);
    expect(o.trainFields.map((f) => f.key)).toContain('epochs');
    expect(o.models.find((m) => m.model === 'popularity')!.trainable).toBe(false);
  });
});
