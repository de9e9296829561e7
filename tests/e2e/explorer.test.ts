// The item explorer and the user view in the real UI (browser mode, tests/helpers/browser.ts): two
// MICRO runs on the demo trained through the HTTP API, then the explorer's legend, weight order,
// kept / gained / lost badges, the combined graph's count note, attention tails, the tooltip after
// click-to-navigate, validation errors across a change of run, and the user view's score parts.
// Screenshots at 1280×800 and 1920×1080 go to tests/artifacts/screenshots/explorer-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO, haveChromium, openBrowserSession, type BrowserSession } from '../helpers/browser';

const suite = haveChromium ? describe : describe.skip;

suite('item explorer and user view (chromium)', () => {
  let s: BrowserSession;
  let page: Page;
  const call = (method: string, body: unknown) => s.call(method, body);
  const train = async (epochs: number) => {
    const { runId } = (await call('startRun', { dataset: 'demo', model: 'micro', name: `e2e ${epochs} epochs`, trainOverrides: { epochs, evalEvery: epochs } })) as { runId: number };
    // (a plain loop: expect.poll is for tests, not hooks)
    let status = 'queued';
    for (const until = Date.now() + 150_000; Date.now() < until && (status === 'queued' || status === 'running'); await new Promise((r) => setTimeout(r, 500)))
      status = ((await call('getRun', { runId })).run as { status: string }).status;
    expect(status).toBe('completed');
    return runId;
  };

  beforeAll(async () => {
    s = await openBrowserSession();
    page = s.page;
    await call('importDataset', { path: DEMO, name: 'demo', setting: 'warm' });
    expect(await train(3)).toBe(1);
    expect(await train(1)).toBe(2);
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  const head = () => page.locator('.item-head').getAttribute('data-item');

  it('opens the prefilled item, with the legend, weight order and the combined graph explained', async () => {
    await s.view('#/explorer?run=1');
    await expect.poll(head, { timeout: 30_000 }).toBe('0'); // the prefilled id, not an empty page
    await s.view('#/explorer?run=1&item=7');
    await expect.poll(head, { timeout: 30_000 }).toBe('7');
    const legend = page.getByTestId('graph-legend');
    await expect.poll(() => legend.locator('[data-category]').count()).toBeGreaterThan(1);
    await expect(legend.getByTestId('width-scale').textContent()).resolves.toMatch(/\d\.\d{3}/);
    for (const m of ['visual', 'textual']) {
      const card = page.locator(`.graph-card[data-modality="${m}"]`);
      await expect.poll(() => card.getByTestId('diff-counts').textContent(), { timeout: 20_000 }).toMatch(/\d+ kept.*\+\d+ gained.*−\d+ lost.*Jaccard/);
      const note = (await card.getByTestId('stage-note').textContent())!;
      const n = await card.locator('.nb-list li').count();
      expect(note).toContain('λ = 0.7');
      expect(note).toContain('up to 20 neighbours');
      expect(note).toContain(`${n} here`);
      const weights = (await card.locator('.nb-weight').allTextContents()).map(Number);
      expect(weights).toEqual([...weights].sort((a, b) => b - a));
      // every combined neighbour carries its initial ↔ learned status, and the counts add up
      const statuses = await card.locator('.nb-list li').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
      const [kept, gained, lost] = ((await card.getByTestId('diff-counts').textContent())!.match(/\d+/g) ?? []).map(Number);
      expect(statuses.filter((x) => x === 'kept').length).toBe(kept);
      expect(statuses.filter((x) => x === 'gained').length).toBe(gained);
      expect(statuses.filter((x) => x === 'lost').length).toBe(lost);
    }
    await expect(page.getByTestId('graph-agreement').locator('tr[data-stage]').count()).resolves.toBe(3);
    await page.locator('[data-testid="distribution-chart"][data-points="20"]').waitFor({ timeout: 20_000 });
    await s.shot('explorer-1280', false, true);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300); // charts follow their container's size
    await s.shot('explorer-1920', false, true);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 90_000);

  it('lists lost neighbours beside the learned graph and opens the attention tails', async () => {
    await page.getByRole('radio', { name: 'learned' }).check();
    await expect.poll(() => page.locator('.item-head').textContent()).toContain('learned graph');
    const card = page.locator('.graph-card[data-modality="visual"]');
    await expect.poll(async () => (await card.locator('.nb-list li[data-status="lost"]').count()) + (await card.locator('.nb-list li').count())).toBeGreaterThan(0);
    expect(await card.locator('.nb-list li[data-status="lost"]').count()).toBe(0); // lost ones are not in the learned graph
    const lost = Number(((await card.getByTestId('diff-counts').textContent())!.match(/−(\d+)/) ?? [])[1]);
    if (lost > 0) await expect(card.getByTestId('missing-visual').locator('button').count()).resolves.toBe(lost);
    const tail = page.locator('[data-testid^="tails-"] li').first();
    await tail.waitFor({ timeout: 20_000 });
    const target = await tail.getAttribute('data-item');
    await tail.locator('button').click();
    await expect.poll(head, { timeout: 20_000 }).toBe(target);
  }, 60_000);

  it('leaves no tooltip behind after click-to-navigate in a graph', async () => {
    await s.view('#/explorer?run=1&item=7&stage=combined');
    await expect.poll(head, { timeout: 30_000 }).toBe('7');
    const graph = page.locator('.graph[data-modality="visual"]');
    await expect.poll(async () => Number(await graph.getAttribute('data-nodes'))).toBeGreaterThan(5);
    await page.locator('[data-testid="distribution-chart"][data-points="20"]').waitFor({ timeout: 20_000 }); // layout settled
    await graph.scrollIntoViewIfNeeded();
    const box = (await graph.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const tip = page.locator('.graph-tip');
    // find a neighbour node: walk circles around the centre node until the tooltip offers to open one
    let hit: { x: number; y: number } | null = null;
    const seen = new Set<string>();
    for (let r = 40; r < Math.min(box.width, box.height) / 2 && !hit; r += 8)
      for (let a = 0; a < 360 && !hit; a += 6) {
        const p = { x: cx + r * Math.cos((a * Math.PI) / 180), y: cy + r * Math.sin((a * Math.PI) / 180) };
        await page.mouse.move(p.x, p.y);
        const text = (await tip.count()) ? ((await tip.textContent()) ?? '') : '';
        seen.add(text.slice(0, 30));
        if (/click to open/.test(text)) hit = p;
      }
    expect(hit, `tooltips seen: ${[...seen].join(' | ')} (box ${JSON.stringify(box)})`).not.toBeNull();
    await page.mouse.down();
    await page.mouse.up();
    // While the next item loads, the pointer moves onto the centre node (item 7's tooltip shows);
    // the new item's graph replaces the old one under the still pointer: no item-7 text may stay.
    await page.mouse.move(cx, cy, { steps: 4 });
    await expect.poll(head, { timeout: 20_000 }).not.toBe('7');
    await expect.poll(async () => ((await tip.count()) ? await tip.textContent() : ''), { timeout: 5_000 }).not.toMatch(/item 7\b|^7 →/);
    await page.waitForTimeout(500);
    expect((await tip.count()) ? await tip.textContent() : '').not.toMatch(/item 7\b|^7 →/);
    // hover the new centre node, then leave the graph in one jump: the tooltip goes with the pointer
    await page.mouse.move(cx + 2, cy + 2);
    await expect.poll(() => tip.count()).toBe(1);
    await page.mouse.move(cx, box.y - 120);
    await expect.poll(() => tip.count(), { timeout: 3_000 }).toBe(0);
  }, 90_000);

  it('clears validation errors when the run changes', async () => {
    await page.fill('#explorer-item', '99999');
    await page.press('#explorer-item', 'Enter');
    await expect.poll(() => page.locator('.error-text').textContent()).toMatch(/item id between 0 and 399/);
    await page.selectOption('#explorer-run', '2');
    await expect.poll(() => page.locator('.error-text').count(), { timeout: 20_000 }).toBe(0);

    await s.view('#/users?run=1&user=3&k=10');
    await page.locator('table[aria-label="Recommendations"] tbody tr').first().waitFor({ timeout: 30_000 });
    await page.fill('#users-user', '-4');
    await page.getByRole('button', { name: 'Show recommendations' }).click();
    await expect.poll(() => page.locator('.error-text').textContent()).toMatch(/user id between 0 and 599/);
    await page.selectOption('#users-run', '2');
    await expect.poll(() => page.locator('.error-text').count(), { timeout: 20_000 }).toBe(0);
  }, 60_000);

  it('splits every recommendation’s score into CF and modality parts', async () => {
    await s.view('#/users?run=1&user=3&k=10');
    const rows = page.locator('table[aria-label="Recommendations"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(10);
    const partsOf = async (r: number) => (await rows.nth(r).getByTestId('score-parts').locator('.num-part').allTextContents()).map((t) => Number(t.trim().split(' ').pop()));
    // The parts arrive with the rows' explanations; wait for them rather than for the rows alone.
    await expect.poll(async () => (await partsOf(2)).length, { timeout: 30_000 }).toBe(3);
    for (let r = 0; r < 3; r++) {
      const row = rows.nth(r);
      const score = Number(await row.locator('td').nth(2).textContent());
      const parts = await partsOf(r);
      expect(parts).toHaveLength(3); // CF, visual, textual
      expect(Math.abs(parts.reduce((a, b) => a + b, 0) - score)).toBeLessThan(0.003);
    }
    await expect(page.locator('.explain a').first().textContent()).resolves.not.toMatch(/^item \d+$/);
    await s.shot('explorer-users-1280', false, true);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    await s.shot('explorer-users-1920', false, true);
  }, 60_000);
});
