// The item explorer on a LATTICE run in the real UI (browser mode): the Runs page offers Explore
// for it (its registry entry has item graphs), both modality cards show neighbours strongest first
// with their initial ↔ learned badges, the page explains that LATTICE's weights are shares of one
// fused graph, and the attention panel says the run has none instead of failing.
// Screenshot: tests/artifacts/screenshots/explorer-lattice.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, haveChromium, openBrowserSession, type BrowserSession } from '../helpers/browser';

const suite = haveChromium ? describe : describe.skip;

suite('item explorer on a LATTICE run (chromium)', () => {
  let s: BrowserSession;
  let runId = 0;

  beforeAll(async () => {
    s = await openBrowserSession();
    await s.call('importDataset', { path: DEMO, name: 'demo', setting: 'warm' });
    ({ runId } = (await s.call('startRun', { dataset: 'demo', model: 'lattice', trainOverrides: { epochs: 2, evalEvery: 2 } })) as { runId: number });
    let status = 'queued';
    for (const until = Date.now() + 150_000; Date.now() < until && (status === 'queued' || status === 'running'); await new Promise((r) => setTimeout(r, 500)))
      status = ((await s.call('getRun', { runId })).run as { status: string }).status;
    expect(status).toBe('completed');
  }, 240_000);
  afterAll(async () => {
    await s?.close();
  });

  it('explores its per-modality graphs and says it has no attention weights', async () => {
    const page = s.page;
    await s.view('#/runs');
    await page.locator(`a[href*="explorer"][href*="run=${runId}"]`).first().waitFor({ timeout: 30_000 });
    await s.view(`#/explorer?run=${runId}&item=7`);
    await expect.poll(() => page.locator('.item-head').getAttribute('data-item'), { timeout: 30_000 }).toBe('7');
    await expect(page.getByTestId('lattice-note').isVisible()).resolves.toBe(true);
    for (const m of ['visual', 'textual']) {
      const card = page.locator(`.graph-card[data-modality="${m}"]`);
      await expect.poll(() => card.locator('.nb-list li').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      const weights = (await card.locator('.nb-weight').allTextContents()).map(Number);
      expect(weights).toEqual([...weights].sort((a, b) => b - a));
      await expect.poll(() => card.getByTestId('diff-counts').textContent(), { timeout: 20_000 }).toMatch(/\d+ kept.*\+\d+ gained.*−\d+ lost/);
    }
    await expect.poll(() => page.getByText('This run stores no attention weights').count(), { timeout: 20_000 }).toBe(1);
    expect(s.logs.filter((l) => /error/i.test(l) && !/favicon/.test(l))).toEqual([]);
    await s.shot('explorer-lattice', false, true);
  }, 120_000);
});
