// End-to-end: the run page (configuration against the preset, tags and notes), the runs table
// (search, rename at 1280 px), the comparison (warm and cold in one row, parameter differences,
// curves for any metric, chart downloads), "Clone into the Train form", the recommendations
// export, a cancelled run, and a split's message beside its own form. Runs are trained through
// the HTTP API (fast baselines) so the file stays short.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO, haveChromium, openBrowserSession, type BrowserSession } from '../helpers/browser';
import type { RunPage, RunSummary } from '../../src/shared/api';

const suite = haveChromium ? describe : describe.skip;

suite('runs in browser mode (chromium)', () => {
  let s: BrowserSession;
  let page: Page;

  async function call<T>(method: string, input: unknown = {}): Promise<T> {
    const res = await fetch(`${s.url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
    const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
    if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
    return body.value as T;
  }
  const run = (id: number) => call<RunSummary[]>('listRuns').then((rs) => rs.find((r) => r.id === id));
  async function trained(input: Record<string, unknown>): Promise<number> {
    const { runId } = await call<{ runId: number }>('startRun', input);
    await expect.poll(async () => (await run(runId))?.status, { timeout: 120_000, interval: 300 }).toBe('completed');
    return runId;
  }
  const ids = { mf: 0, popWarm: 0, popCold: 0 };

  beforeAll(async () => {
    s = await openBrowserSession();
    page = s.page;
    await call('importDataset', { path: DEMO, name: 'demo-warm', setting: 'warm' });
  }, 240_000);

  afterAll(async () => {
    await s?.close();
  });

  it('shows a split’s message beside the split form, not beside Import', async () => {
    await s.view('#/datasets');
    await page.locator('tr[data-dataset="demo-warm"]').waitFor({ timeout: 30_000 });
    await page.selectOption('#split-mode', 'cold');
    await page.fill('#split-name', 'demo-cold');
    await page.fill('#split-out', path.join(s.dir, 'demo-cold'));
    await page.getByRole('button', { name: 'Build split' }).click();
    const splitCard = page.locator('section[aria-labelledby="split-title"]');
    await expect.poll(() => splitCard.locator('[role="status"]').textContent(), { timeout: 60_000 }).toContain('Built "demo-cold"');
    await expect(page.locator('form[aria-labelledby="import-title"] [role="status"]').count()).resolves.toBe(0);
    await s.shot('datasets-split');
  }, 90_000);

  it('a run page lists every hyperparameter against its preset; tags and notes are saved and searchable', async () => {
    ids.mf = await trained({ dataset: 'demo-warm', model: 'mf', seed: 7, name: 'mf small', modelOverrides: { embedDim: 16 }, trainOverrides: { epochs: 3, evalEvery: 1 } });
    ids.popWarm = await trained({ dataset: 'demo-warm', model: 'popularity' });
    ids.popCold = await trained({ dataset: 'demo-cold', model: 'popularity' });
    await s.view('#/runs');
    await page.locator(`tr[data-run="${ids.mf}"] a.run-name`).click();
    await expect.poll(() => page.url()).toContain(`#/run?id=${ids.mf}`);
    const params = page.locator('table[aria-label="Hyperparameters"]');
    await params.locator('tr.changed[data-param="model.embedDim"]').waitFor({ timeout: 20_000 });
    await expect(params.locator('tr.changed').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-param')))).resolves.toEqual(['model.embedDim', 'train.epochs']);
    await expect(params.locator('tr[data-param="model.embedDim"] td').allTextContents()).resolves.toEqual(['16', '64']);
    await expect(page.locator('table[aria-label="Final metrics"] tr[data-metric="recall@20"]').textContent()).resolves.toMatch(/0\.\d{4}/);
    await expect(page.locator('.kv').textContent()).resolves.toMatch(/Fingerprint[0-9a-f]{16}/);
    await expect(page.locator('ol[aria-label="Status history"] li').count()).resolves.toBe(5);

    await page.fill('#run-tags', 'baseline, small-dim');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await page.getByText('Tags saved.').waitFor();
    await page.fill('#run-notes', 'Smaller embeddings as a sanity check');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByText('Notes saved.').waitFor();
    await expect.poll(async () => (await run(ids.mf))?.tags).toEqual(['baseline', 'small-dim']);
    await s.shot('run-page', false, true);

    await s.view('#/runs');
    const rows = page.locator('table[aria-label="Runs"] tbody tr[data-run]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3);
    await expect(page.locator(`tr[data-run="${ids.mf}"] .tag`).allTextContents()).resolves.toEqual(['baseline', 'small-dim']);
    await page.fill('input[aria-label="Search runs by name, notes or tags"]', 'small-DIM');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await page.fill('input[aria-label="Search runs by name, notes or tags"]', 'sanity');
    await expect.poll(() => page.locator(`tr[data-run="${ids.mf}"]`).count()).toBe(1);
    await expect.poll(() => rows.count()).toBe(1);
    await page.fill('input[aria-label="Search runs by name, notes or tags"]', '');
    await expect.poll(() => rows.count()).toBe(3);
  }, 240_000);

  it('renaming keeps the actions on screen at 1280 px', async () => {
    await page.locator(`tr[data-run="${ids.mf}"]`).getByRole('button', { name: 'Rename' }).click();
    await page.locator(`input[aria-label="New name of run ${ids.mf}"]`).waitFor();
    const del = page.locator(`tr[data-run="${ids.mf}"]`).getByRole('button', { name: 'Delete' });
    const box = await del.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    await s.shot('runs-rename');
    await page.locator(`tr[data-run="${ids.mf}"]`).getByRole('button', { name: 'Cancel' }).click();
  }, 30_000);

  it('compares runs: warm and cold side by side, parameter differences, any curve, downloads', async () => {
    for (const id of [ids.mf, ids.popWarm, ids.popCold]) await page.check(`input[aria-label="Select run ${id}"]`);
    await page.getByRole('button', { name: /Compare selected/ }).click();
    const table = page.locator('table[aria-label="Metric comparison"]');
    // The warm and the cold Popularity run share one row; the MF run has its own.
    await table.locator(`tr[data-runs="${ids.popWarm},${ids.popCold}"]`).waitFor({ timeout: 20_000 });
    await expect(table.locator('tr[data-runs]').count()).resolves.toBe(2);
    await expect(table.locator(`tr[data-runs="${ids.popWarm},${ids.popCold}"] td.num`).allTextContents()).resolves.not.toContain('–');
    await expect(table.locator('.group-row').allTextContents()).resolves.toEqual(['Dataset: demo-warm', 'Dataset: demo-warm + demo-cold']);
    // Only differing parameters, then all of them.
    const diff = page.locator('table[aria-label="Parameter differences"]');
    await expect(diff.locator('tr[data-param="model"] td').allTextContents()).resolves.toEqual(['mf', 'popularity', 'popularity']);
    await expect(diff.locator('tr[data-param="preset"]').count()).resolves.toBe(0);
    await page.getByLabel('show all').check();
    await expect(diff.locator('tr[data-param="preset"] td').allTextContents()).resolves.toEqual(['paper', 'paper', 'paper']);
    // Any recorded metric as a curve: the MF run's 3 epochs of total loss.
    await page.selectOption('select[aria-label="Curve metric"]', 'loss:total');
    const curve = page.locator('[data-testid="compare-curve"]');
    await expect.poll(async () => Number(await curve.getAttribute('data-points'))).toBe(3);
    await page.locator('input[aria-label="Smoothing (EMA)"]').fill('0.5');
    await page.getByLabel('log axis').check();
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Download SVG: loss: total/ }).click()]);
    const svgFile = path.join(s.dir, 'curve.svg');
    await svg.saveAs(svgFile);
    expect(fs.readFileSync(svgFile, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PNG: Final metrics of the compared runs' }).click()]);
    const pngFile = path.join(s.dir, 'bars.png');
    await png.saveAs(pngFile);
    expect(fs.readFileSync(pngFile).subarray(1, 4).toString('latin1')).toBe('PNG');
    await s.shot('runs-compare', false, true);
  }, 60_000);

  it('clones a run into the Train form and starts a run with the same resolved configuration', async () => {
    await s.view(`#/run?id=${ids.mf}`);
    await page.getByRole('link', { name: 'Clone into the Train form' }).click();
    await page.getByTestId('clone-note').waitFor({ timeout: 20_000 });
    await expect(page.inputValue('#train-model')).resolves.toBe('mf');
    await expect(page.inputValue('#train-dataset')).resolves.toBe('demo-warm');
    await expect(page.inputValue('#train-seed')).resolves.toBe('7');
    await expect(page.inputValue('#train-epochs')).resolves.toBe('3');
    await expect(page.inputValue('#model-embedDim')).resolves.toBe('16');
    const start = page.getByRole('button', { name: 'Start training' });
    await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true);
    await start.click();
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 120_000 }).toBe('completed');
    // The Train view shows the configuration of the run it displays.
    const config = page.getByTestId('run-config');
    await expect.poll(() => config.locator('tr[data-param="model.embedDim"]').textContent(), { timeout: 10_000 }).toContain('16');
    await s.shot('train-clone');
    const clone = (await call<RunSummary[]>('listRuns')).find((r) => r.id > ids.popCold)!;
    const [a, b] = await Promise.all([call<RunPage>('runPage', { runId: ids.mf }), call<RunPage>('runPage', { runId: clone.id })]);
    expect(b.resolved).toEqual(a.resolved);
    expect(b.params).toEqual(a.params);
    expect(b.dataset?.name).toBe('demo-warm');
  }, 180_000);

  it('exports top-K recommendations as CSV', async () => {
    await s.view(`#/export?run=${ids.popWarm}`);
    const recs = page.getByLabel('Recommendations');
    await expect.poll(() => recs.isEnabled(), { timeout: 20_000 }).toBe(true);
    await recs.check();
    await page.fill('#export-k', '5');
    await page.selectOption('#export-split', 'test');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe(`run${ids.popWarm}-recommendations-test-top5.csv`);
    const file = path.join(s.dir, 'recs.csv');
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('user,item,rank,score');
    const perUser = new Map<string, number>();
    for (const l of lines.slice(1)) perUser.set(l.split(',')[0], (perUser.get(l.split(',')[0]) ?? 0) + 1);
    expect(perUser.size).toBeGreaterThan(10);
    expect([...new Set(perUser.values())]).toEqual([5]);
    await s.shot('export-recommendations');
  }, 90_000);

  it('a cancelled run is not shown as an error and can be resumed', async () => {
    const { runId } = await call<{ runId: number }>('startRun', { dataset: 'demo-warm', model: 'mf', trainOverrides: { epochs: 500 } });
    await expect.poll(async () => (await run(runId))?.epochsRecorded ?? 0, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    await call('cancelRun', { runId });
    await expect.poll(async () => (await run(runId))?.status, { timeout: 60_000 }).toBe('cancelled');
    await s.view(`#/train?run=${runId}`);
    await page.getByTestId('cancel-note').waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('cancel-note').textContent()).resolves.toContain('Resume continues');
    await expect(page.locator('.live .error-text').count()).resolves.toBe(0);
    await expect(page.locator('.live').getByRole('button', { name: 'Resume' }).count()).resolves.toBe(1);
    await s.view('#/runs');
    const row = page.locator(`tr[data-run="${runId}"]`);
    await row.waitFor({ timeout: 20_000 });
    await expect(row.getByRole('button', { name: 'Resume' }).count()).resolves.toBe(1);
    await expect(page.locator('.error-row').count()).resolves.toBe(0);
  }, 120_000);
});
