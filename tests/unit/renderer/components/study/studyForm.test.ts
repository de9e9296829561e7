// The new-study form's data: values parsed as the CLI parses them, the createStudy input per kind
// (accepted by the API's own schema), the API's real validation messages split onto the fields,
// the sweepable parameters read from the registry's model options, and the cell estimate.
import { describe, expect, it } from 'vitest';
import { ApiError, parseInput, parseStudyValues, type ModelOptions } from '../../../../../src/shared/api';
import { modelOptions } from '../../../../../src/main/api/options';
import { cellEstimate, fieldsOf, splitErrors, studyInput, sweepParams, type StudyForm } from '../../../../../src/renderer/src/components/study/studyForm';

const form = (over: Partial<StudyForm> = {}): StudyForm => ({
  kind: 'ablation',
  dataset: 'demo',
  name: '',
  preset: 'paper',
  seeds: 2,
  baseSeed: 123,
  epochs: '',
  model: 'micro',
  param: 'topK',
  values: '',
  models: ['micro', 'mf'],
  parallel: 1,
  ...over,
});

/** The API's message for a refused createStudy input. */
function refusal(input: unknown): string {
  try {
    parseInput('createStudy', input);
  } catch (e) {
    if (e instanceof ApiError) return e.message;
  }
  throw new Error('expected the schema to refuse the input');
}

describe('parseStudyValues (src/shared)', () => {
  it('reads numbers, booleans and strings, skipping empty parts', () => {
    expect(parseStudyValues(' 0, 5,10 ,, 1e-3, -2')).toEqual([0, 5, 10, 0.001, -2]);
    expect(parseStudyValues('true,false')).toEqual([true, false]);
    expect(parseStudyValues('features, ids, 3')).toEqual(['features', 'ids', 3]);
    expect(parseStudyValues('  ')).toEqual([]);
  });
});

describe('studyInput', () => {
  it('sends only the fields of the kind, and the API schema accepts it', () => {
    const ablation = studyInput(form({ values: '1,2', name: '  ' }));
    expect(ablation).toEqual({ kind: 'ablation', dataset: 'demo', preset: 'paper', seeds: 2, baseSeed: 123 });
    expect(parseInput('createStudy', ablation)).toMatchObject({ kind: 'ablation', seeds: 2 });

    const sweep = studyInput(form({ kind: 'sweep', values: '0, 20', epochs: 1, name: ' k sweep ' }));
    expect(sweep).toEqual({ kind: 'sweep', dataset: 'demo', preset: 'paper', seeds: 2, baseSeed: 123, epochs: 1, name: 'k sweep', model: 'micro', param: 'topK', values: [0, 20] });
    expect(parseInput('createStudy', sweep)).toMatchObject({ param: 'topK', values: [0, 20], epochs: 1 });

    const compare = studyInput(form({ kind: 'compare', epochs: NaN }));
    expect(compare).toEqual({ kind: 'compare', dataset: 'demo', preset: 'paper', seeds: 2, baseSeed: 123, models: ['micro', 'mf'] });
  });

  it('leaves out a sweep without values (the API then names the field)', () => {
    expect(studyInput(form({ kind: 'sweep', values: ' , ' }))).not.toHaveProperty('values');
  });
});

describe('splitErrors', () => {
  it('puts each of the schema’s messages beside the field it names', () => {
    const message = refusal({ kind: 'sweep', dataset: 'demo', seeds: 0, epochs: 0.5, values: [], models: [] });
    const { byField, other } = splitErrors(message, fieldsOf('sweep'));
    expect(byField.seeds).toBe('expected an integer between 1 and 20');
    expect(byField.epochs).toBe('expected an integer between 1 and 100000');
    expect(byField.values).toBe('expected at least one value');
    // models is not a field of a sweep: its message stays a general one.
    expect(other).toEqual(['models: expected at least one model']);
  });

  it('maps nested paths and the planner’s messages, and keeps a variant’s own errors whole', () => {
    const planner = 'trainOverrides.epochs: not a training option (known: epochs, lr)';
    expect(splitErrors(planner, fieldsOf('ablation')).byField).toEqual({ epochs: 'not a training option (known: epochs, lr)' });
    expect(splitErrors('values.1: expected numbers, strings or booleans', fieldsOf('sweep')).byField).toEqual({ values: 'expected numbers, strings or booleans' });
    const variant = 'w/o fusion: lr: must be > 0; batchSize: too small';
    expect(splitErrors(variant, fieldsOf('ablation'))).toEqual({ byField: {}, other: ['w/o fusion: lr: must be > 0', 'batchSize: too small'] });
    expect(splitErrors('dataset: a coldstart study needs a cold-start split; "demo" is warm', fieldsOf('coldstart')).byField).toEqual({ dataset: 'a coldstart study needs a cold-start split; "demo" is warm' });
  });
});

describe('sweepParams', () => {
  let options: ModelOptions;
  it('lists the scalar hyperparameters, then the training options, with the preset’s values', async () => {
    options = await modelOptions();
    const micro = sweepParams(options, 'micro', 'paper');
    const topK = micro.find((p) => p.key === 'topK');
    expect(topK).toMatchObject({ section: 'model', reference: options.models.find((m) => m.model === 'micro')!.defaults.paper.topK });
    expect(micro.find((p) => p.key === 'lr')).toMatchObject({ section: 'train' });
    // Lists cannot be swept (values are scalars).
    expect(micro.some((p) => p.key === 'ks' || p.key === 'modalities')).toBe(false);
    expect(micro.every((p) => !['string[]', 'integer[]'].includes(p.field.type))).toBe(true);
    const sections = micro.map((p) => p.section);
    expect(sections.indexOf('train')).toBe(sections.lastIndexOf('model') + 1);
  });

  it('offers no training options for a fitted model, and nothing for an unknown one', () => {
    const fitted = options.models.find((m) => !m.trainable)!;
    expect(sweepParams(options, fitted.model, 'paper').every((p) => p.section === 'model')).toBe(true);
    expect(sweepParams(options, 'no-such-model', 'paper')).toEqual([]);
    expect(sweepParams(null, 'micro', 'paper')).toEqual([]);
  });
});

describe('cellEstimate', () => {
  it('counts variants × seeds as the planner will (the reference value added to a sweep)', () => {
    expect(cellEstimate(form({ kind: 'sweep', values: '0, 5', seeds: 3 }), 2, 10)).toEqual({ variants: 3, cells: 9, atMost: false });
    expect(cellEstimate(form({ kind: 'sweep', values: '0, 10', seeds: 1 }), 2, 10)).toEqual({ variants: 2, cells: 2, atMost: false });
    expect(cellEstimate(form({ kind: 'modalities' }), 2, undefined)).toEqual({ variants: 3, cells: 6, atMost: false });
    expect(cellEstimate(form({ kind: 'compare', models: ['a', 'b', 'c'] }), 2, undefined).cells).toBe(6);
    expect(cellEstimate(form({ kind: 'ablation', seeds: 1 }), 2, undefined)).toEqual({ variants: 6, cells: 6, atMost: true });
  });
});
