// End-to-end checks of the Datasets and Train views (issue 9 §5): one datasetInfo request per
// opening and per selection, pilot-study results that survive a reload, the live panel's final
// state after a run ends, and the global disconnected state when the server stops (banner, Start
// disabled with the reason, reconnect and refresh once a server is back on the same port).
// Screenshots at 1280×800 go to tests/artifacts/screenshots/defects-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { DEMO, ROOT, haveChromium, openBrowserSession, startTraining, type BrowserSession } from '../helpers/browser';
import { RunStore } from '../../src/main/store';

const suite = haveChromium ? describe : describe.skip;

suite('datasets and train defects (chromium)', () => {
  let s: BrowserSession;
  let page: Page;
  let restarted: ChildProcess | null = null;
  let infoCalls = 0;

  const call = async (method: string, body: unknown) => {
    const r = await fetch(`${s.url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const j = (await r.json()) as { ok: boolean; value: unknown; error?: { message: string } };
    if (!j.ok) throw new Error(`${method}: ${j.error?.message}`);
    return j.value;
  };
  /** Lets requests a view would still send go out before counting (not a timing assertion). */
  const settle = () => page.waitForTimeout(1500);
  /** Open a view in a freshly loaded page (a hash change alone keeps the app and its stores). */
  const fresh = async (hash: string) => {
    await s.view(hash);
    await page.reload();
  };
  const infoResponse = () => page.waitForResponse((r) => r.url().endsWith('/api/datasetInfo'), { timeout: 30_000 });

  beforeAll(async () => {
    s = await openBrowserSession();
    page = s.page;
    await call('importDataset', { path: DEMO, name: 'demo-warm', setting: 'warm' });
    await call('importDataset', { path: DEMO, name: 'demo-cold', setting: 'cold' });
    page.on('request', (r) => {
      if (r.url().endsWith('/api/datasetInfo')) infoCalls++;
    });
  }, 240_000);

  afterAll(async () => {
    if (restarted && restarted.exitCode === null && restarted.signalCode === null) {
      const exited = new Promise((r) => restarted!.once('exit', r));
      restarted.kill('SIGTERM');
      await exited;
    }
    await s?.close();
  });

  it('asks for datasetInfo once when the Datasets view opens and once per selection', async () => {
    await s.view('#/datasets');
    await settle();
    infoCalls = 0;
    const first = infoResponse();
    await page.reload();
    await first;
    await page.locator('section[aria-labelledby="split-title"]').waitFor();
    await settle();
    expect(infoCalls).toBe(1);

    const second = infoResponse();
    await page.locator('tr[data-dataset="demo-warm"] button.link').click();
    expect(JSON.parse((await second).request().postData() ?? '{}')).toEqual({ dataset: expect.any(Number) });
    await expect.poll(() => page.locator('#split-title').textContent()).toContain('demo-warm');
    await settle();
    expect(infoCalls).toBe(2);

    // The Train view does not need it at all.
    await s.view('#/train');
    await settle();
    infoCalls = 0;
    await page.reload();
    await page.getByRole('button', { name: 'Start training' }).waitFor();
    await settle();
    expect(infoCalls).toBe(0);

    // Back to Datasets through the navigation: the store already holds a selection (made by the
    // Train view's load): one request, and the split form names the new dataset after it.
    await page.locator('nav a', { hasText: 'Datasets' }).click();
    await expect.poll(() => page.locator('#split-name').inputValue(), { timeout: 10_000 }).toBe('demo-cold-cold');
    await settle();
    expect(infoCalls).toBe(1);
  }, 90_000);

  it('keeps the pilot-study results with the dataset: shown again after a reload, with when they were computed', async () => {
    await fresh('#/datasets');
    await page.locator('tr[data-dataset="demo-warm"] button.link').click();
    await expect.poll(() => page.locator('#split-title').textContent()).toContain('demo-warm');
    await page.getByRole('button', { name: 'Run diagnostics' }).click();
    const table = page.locator('table[aria-label="Diagnostics"]');
    await table.waitFor({ timeout: 60_000 });
    const before = await table.locator('tbody').textContent();
    await expect(page.getByTestId('pilot-when').textContent()).resolves.toMatch(/^Computed .+ in \d+\.\ds for k = 5, 10, 15, 20\.$/);
    await s.shot('defects-pilot', false, true);

    await page.reload();
    await page.locator('tr[data-dataset="demo-warm"] button.link').click();
    await table.waitFor({ timeout: 30_000 });
    expect(await table.locator('tbody').textContent()).toBe(before);
    await expect(page.getByTestId('pilot-when').textContent()).resolves.toMatch(/^Computed /);
    await expect(page.getByRole('button', { name: 'Recompute' }).isVisible()).resolves.toBe(true);
    // Another dataset has none yet.
    await page.locator('tr[data-dataset="demo-cold"] button.link').click();
    await expect.poll(() => page.locator('#split-title').textContent()).toContain('demo-cold');
    await page.getByText('Run the diagnostics to see the charts.').waitFor();
  }, 120_000);

  it('shows the final state of a run that ended, not a frozen progress line', async () => {
    await fresh('#/train?dataset=demo-warm');
    await startTraining(page, { model: 'mf', epochs: 3, evalEvery: 1 });
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 120_000 }).toBe('completed');
    const line = page.locator('.progress-text');
    // The end event first, then the run's page: its time, best epoch and final metrics.
    await expect.poll(() => line.textContent()).toMatch(/^completed · 3\/3 epochs · \d+s · best epoch \d · test recall@20 0\.\d{4}/);
    const text = (await line.textContent())!;
    expect(text).not.toMatch(/%/);
    expect(text).not.toMatch(/ETA|batch/);
    expect(text).toMatch(/recall@20 0\.\d{4}/);
    await expect(page.getByRole('progressbar', { name: 'Training progress' }).getAttribute('aria-valuenow')).resolves.toBe('100');
    await s.shot('defects-train-completed');

    // Opening the ended run later shows the same final line.
    await fresh('#/train?run=1');
    await expect.poll(() => line.textContent(), { timeout: 20_000 }).toMatch(/completed · 3\/3 epochs/);
  }, 180_000);

  it('shows a stopped server across the app, disables starting with the reason, and reconnects', async () => {
    // A long run is training, watched in the Train view, when the server stops.
    const { runId } = (await call('startRun', { dataset: 'demo-warm', model: 'mf', name: 'long', trainOverrides: { epochs: 5000, evalEvery: 1000 } })) as { runId: number };
    await fresh(`#/train?dataset=demo-warm&run=${runId}`);
    const line = page.locator('.progress-text');
    await expect.poll(() => line.textContent(), { timeout: 30_000 }).toMatch(/epoch \d+\/5000/);
    expect(await line.textContent()).toMatch(/^\s*(training|epoch done|validating|evaluating)\s+· epoch \d+\/5000/); // not "epoch · epoch 1/5000"
    const start = page.getByRole('button', { name: 'Start training' });
    await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true);
    const banner = page.getByTestId('connection-banner');
    expect(await banner.count()).toBe(0);

    // Stop the server as a user does (Ctrl-C / SIGTERM).
    const exited = new Promise((r) => s.server.once('exit', r));
    s.server.kill('SIGTERM');
    await exited;
    await banner.waitFor({ timeout: 30_000 });
    await expect(banner.textContent()).resolves.toContain(`Disconnected from the workbench server at ${s.url}`);
    await expect(banner.textContent()).resolves.toMatch(/retrying/);
    await expect.poll(() => start.isDisabled()).toBe(true);
    await expect(page.getByTestId('start-reason').textContent()).resolves.toMatch(/server/);
    // The live line is marked as the last known state, not live.
    await expect(line.textContent()).resolves.toMatch(/last known/);
    await s.shot('defects-disconnected-train');

    // Every view shows it; the Datasets forms are disabled too.
    await page.locator('nav a', { hasText: 'Datasets' }).click();
    await page.locator('tr[data-dataset="demo-warm"]').waitFor();
    await expect(banner.isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Import dataset' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Build split' }).isDisabled()).resolves.toBe(true);
    await s.shot('defects-disconnected-datasets');

    // Meanwhile another program registers a dataset in the store; a server comes back on the same
    // port with the same token: the banner clears and the views refresh without a reload.
    const store = RunStore.open(s.storePath);
    const warm = store.getDataset('demo-warm')!;
    store.registerDataset({ name: 'demo-extra', sourcePaths: warm.sourcePaths, layout: warm.layout, setting: warm.setting, modalities: warm.modalities, stats: warm.stats, fingerprint: warm.fingerprint });
    store.close();
    const port = new URL(s.url).port;
    restarted = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', '--port', port, '--store', s.storePath], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, MICRO_SERVE_TOKEN: s.token } });
    await expect.poll(() => banner.count(), { timeout: 60_000, interval: 500 }).toBe(0);
    // Generous: under a loaded CI machine the refreshed server answers its first calls slowly.
    await page.locator('tr[data-dataset="demo-extra"]').waitFor({ timeout: 30_000 });
    await page.fill('#import-path', DEMO);
    await expect(page.getByRole('button', { name: 'Import dataset' }).isEnabled()).resolves.toBe(true);
    await page.locator('nav a', { hasText: 'Train' }).click();
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('start-reason').count()).toBe(0);
    // The run stopped with the server (its end was never sent): the panel shows where it ended.
    await expect.poll(() => page.getByTestId('train-status').textContent(), { timeout: 30_000 }).toBe('cancelled');
    await expect.poll(() => line.textContent()).toMatch(/^cancelled · \d+\/5000 epochs/);
    expect(await line.textContent()).not.toMatch(/%|last known/);
    // Nobody pressed Cancel here: the note does not say "by you".
    // (After N epochs, or before the first one ended: a loaded machine may not reach epoch 1.)
    const note = await page.getByTestId('cancel-note').textContent();
    expect(note).toMatch(/^Cancelled( after \d+ epoch|\.)/);
    expect(note).not.toMatch(/by you/);
    await s.shot('defects-reconnected-train');
  }, 150_000);
});
