// End-to-end through the real UI in browser mode (tests/helpers/browser.ts): the server on a free
// port with a temporary store, the built renderer in Debian's chromium. Leaves screenshots of every
// view in tests/artifacts/screenshots/; with UPDATE_DOCS_SCREENSHOTS=1 it also refreshes the README's
// copies in docs/screenshots/ (off by default: a test run leaves tracked files alone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO, haveChromium, openBrowserSession, startTraining, type BrowserSession } from '../helpers/browser';

const suite = haveChromium ? describe : describe.skip;

function parseNpyShape(bytes: Buffer): number[] {
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const major = bytes[6];
  const len = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const header = bytes.subarray(major === 1 ? 10 : 12, (major === 1 ? 10 : 12) + len).toString('latin1');
  expect(header).toContain("'descr': '<f4'");
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  expect(m).not.toBeNull();
  return m![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
}

suite('workbench in browser mode (chromium)', () => {
  let s: BrowserSession;
  let dir = '';
  let url = '';
  let token = '';
  let page: Page;
  const shot = (name: string, docs = false, fullPage = false) => s.shot(name, docs, fullPage);
  const view = (hash: string) => s.view(hash);

  beforeAll(async () => {
    s = await openBrowserSession();
    ({ dir, url, token, page } = s);
  }, 240_000);

  afterAll(async () => {
    await s?.close();
  });

  it('serves the app with a strict CSP, only with the token', async () => {
    const anon = await fetch(`${url}/`);
    expect(anon.status).toBe(401);
    expect(await anon.text()).toContain('npm run serve');
    expect((await fetch(`${url}/api/listRuns`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '' })).status).toBe(401);
    const auth = { Authorization: `Bearer ${token}` };
    const res = await fetch(`${url}/`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const bad = await fetch(`${url}/api/getRun`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ runId: 'x' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'runId: expected a positive integer' } });
  });

  it('imports the demo dataset, builds a split and shows the pilot study', async () => {
    await view('#/datasets');
    await page.getByText('No datasets yet').waitFor();
    await page.fill('#import-path', DEMO);
    await page.fill('#import-name', 'demo-warm');
    await page.selectOption('#import-setting', 'warm');
    await page.getByRole('button', { name: 'Import dataset' }).click();
    const row = page.locator('tr[data-dataset="demo-warm"]');
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toContain('600');
    await page.selectOption('#split-mode', 'cold');
    await page.getByRole('button', { name: 'Build split' }).click();
    await page.locator('tr[data-dataset="demo-warm-cold"]').waitFor({ timeout: 60_000 });
    await page.locator('tr[data-dataset="demo-warm"]').getByRole('button', { name: 'demo-warm' }).click();
    await page.getByRole('button', { name: 'Run diagnostics' }).click();
    await page.locator('.chart[aria-label^="Share of users"][data-points="4"]').waitFor({ timeout: 60_000 });
    await page.locator('table[aria-label="Diagnostics"] tbody tr').nth(1).waitFor();
    await shot('datasets', true);
  }, 180_000);

  it('trains a short MICRO run and the curves update live', async () => {
    await view('#/train?dataset=demo-warm');
    await startTraining(page, { dataset: 'demo-warm', epochs: 3, evalEvery: 1, name: 'e2e micro' });
    const status = page.getByTestId('train-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('running');
    // The loss curve gains points while the run is still going.
    const loss = page.locator('[data-testid="loss-chart"]');
    await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    await expect(page.locator('.progress-text').textContent()).resolves.toMatch(/epoch \d\/3/);
    await shot('train-live');
    await expect.poll(() => status.textContent(), { timeout: 150_000 }).toBe('completed');
    await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 10_000 }).toBe(3);
    await expect.poll(async () => Number(await page.locator('[data-testid="val-chart"]').getAttribute('data-points'))).toBe(3);
    await shot('train', true);
  }, 240_000);

  it('starts and cancels a second run', async () => {
    await page.fill('#train-epochs', '200');
    await page.fill('#train-name', 'e2e cancel');
    const start = page.getByRole('button', { name: 'Start training' });
    await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true);
    await start.click();
    await expect.poll(() => page.locator('.progress-text').textContent(), { timeout: 60_000 }).toMatch(/batch \d+\//);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 90_000 }).toBe('cancelled');
  }, 180_000);

  it('lists, renames and compares runs', async () => {
    await view('#/runs');
    const rows = page.locator('table[aria-label="Runs"] tbody tr[data-run]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    await expect(page.locator('tr[data-run="1"]').getAttribute('data-status')).resolves.toBe('completed');
    await expect(page.locator('tr[data-run="2"]').getAttribute('data-status')).resolves.toBe('cancelled');
    await page.locator('tr[data-run="2"]').getByRole('button', { name: 'Rename' }).click();
    await page.fill('input[aria-label="New name of run 2"]', 'stopped early');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('tr[data-run="2"] .run-name').textContent()).toBe('stopped early');
    await page.getByRole('button', { name: 'Name', exact: true }).click(); // sort by name
    await page.check('input[aria-label="Select run 1"]');
    await page.check('input[aria-label="Select run 2"]');
    await page.getByRole('button', { name: /Compare selected/ }).click();
    await page.locator('table[aria-label="Metric comparison"] tbody tr').first().waitFor({ timeout: 20_000 });
    await expect(page.locator('table[aria-label="Metric comparison"]').textContent()).resolves.toContain('stopped early');
    await expect.poll(async () => Number(await page.locator('[data-testid="compare-bars"]').getAttribute('data-points'))).toBeGreaterThan(0);
    await shot('runs', true, true);
  }, 60_000);

  it('explores an item: neighbours in every modality, stages, attention', async () => {
    await view('#/explorer?run=1&item=7');
    const graphs = page.locator('.graph[data-modality]');
    await expect.poll(() => graphs.count(), { timeout: 60_000 }).toBe(2);
    for (const m of ['visual', 'textual']) {
      await expect.poll(async () => Number(await page.locator(`.graph[data-modality="${m}"]`).getAttribute('data-nodes'))).toBeGreaterThan(5);
    }
    await expect.poll(() => page.getByTestId('attention-value').count()).toBe(2);
    const alpha = (await page.getByTestId('attention-value').allTextContents()).map(Number);
    expect(alpha.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    await page.locator('[data-testid="distribution-chart"][data-points="20"]').waitFor({ timeout: 20_000 });
    // search by a word of a title (resources/demo/items.csv), open the first suggestion with Enter
    await page.fill('#explorer-item', 'anthem');
    const suggestion = page.locator('#explorer-item-list [role="option"]').first();
    await expect.poll(() => suggestion.textContent(), { timeout: 10_000 }).toMatch(/Anthem/);
    const found = await suggestion.getAttribute('data-item');
    await page.press('#explorer-item', 'Enter');
    await expect.poll(() => page.locator('.item-head').getAttribute('data-item'), { timeout: 20_000 }).toBe(found);
    await expect(page.locator('.item-head h2').textContent()).resolves.toMatch(/Anthem/);
    // neighbour rows: thumbnail (data: URL) + title + category; graph nodes carry the thumbnails
    const row = page.locator('.graph-card').first().locator('.nb-list li').first();
    await expect.poll(() => row.locator('img').getAttribute('src'), { timeout: 20_000 }).toMatch(/^data:image\/svg\+xml;base64,/);
    await expect(row.locator('.nb-title').textContent()).resolves.not.toMatch(/^item \d+$/);
    await expect(row.locator('.nb-cat').textContent()).resolves.toContain(' / ');
    await expect.poll(async () => Number(await page.locator('.graph[data-modality="visual"]').getAttribute('data-images')), { timeout: 20_000 }).toBeGreaterThan(5);
    await page.locator('[data-testid="distribution-chart"][data-points="20"]').waitFor({ timeout: 20_000 });
    await shot('explorer', true, true);
    // switch stage, then move to a neighbour through the keyboard-friendly list
    await page.getByLabel('initial').check();
    await expect.poll(() => page.locator('.item-head').textContent()).toContain('initial graph');
    const first = page.locator('.graph-card').first();
    const target = first.locator('.nb-list li').first();
    const next = await target.getAttribute('data-item');
    await target.locator('button').click();
    await expect.poll(() => page.locator('.item-head').getAttribute('data-item')).toBe(next);
    await expect.poll(async () => Number(await page.locator('.graph[data-modality="visual"]').getAttribute('data-nodes'))).toBeGreaterThan(5);
  }, 90_000);

  it('shows a user’s explained recommendations', async () => {
    await view('#/users?run=1&user=3&k=10');
    const recs = page.locator('table[aria-label="Recommendations"] tbody tr');
    await expect.poll(() => recs.count(), { timeout: 30_000 }).toBe(10);
    await expect(page.locator('.explain').first().textContent()).resolves.toMatch(/visual|textual/);
    await expect.poll(() => recs.first().locator('img').getAttribute('src'), { timeout: 20_000 }).toMatch(/^data:image\//);
    await expect(recs.first().locator('td').nth(1).locator('a').textContent()).resolves.not.toMatch(/^item \d+$/);
    await shot('users', true);
  }, 60_000);

  it('exports embeddings as .npy with the right shape', async () => {
    await view('#/export?run=1');
    await page.locator('#export-embedding option[value="item_final"]').waitFor({ state: 'attached', timeout: 20_000 });
    await page.selectOption('#export-embedding', 'item_final');
    await page.selectOption('#export-format', 'npy');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('run1-item_final.npy');
    const file = path.join(dir, 'download.npy');
    await download.saveAs(file);
    expect(parseNpyShape(fs.readFileSync(file))).toEqual([400, 64]);
    await page.getByText('Downloaded run1-item_final.npy').waitFor();
    await shot('export', true);
  }, 60_000);

  it('shows the error text of a failed run', async () => {
    // A run whose worker died, as the host records it (written by another process: the CLI or a crashed worker).
    const { RunStore } = await import('../../src/main/store');
    const store = RunStore.open(path.join(dir, 'runs.sqlite'));
    const run = store.createRun({ model: 'micro', preset: 'paper', datasetId: 1, name: 'crashed' });
    store.startRun(run.id);
    store.finishRun(run.id, 'failed', { error: 'worker exited with code 7 before finishing' });
    store.close();
    await view('#/runs');
    await page.locator(`tr[data-run="${run.id}"]`).waitFor({ timeout: 20_000 });
    await expect(page.locator(`tr[data-run="${run.id}"]`).getAttribute('data-status')).resolves.toBe('failed');
    await page.getByText('Failed: worker exited with code 7 before finishing').waitFor({ timeout: 20_000 });
  }, 60_000);
});
