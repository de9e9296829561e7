// The embedding map in the real UI (browser mode, tests/helpers/browser.ts): a MICRO run on the
// demo's cold-start split trained through the HTTP API, then PCA coloured by category and by
// cold / warm (legend counts against the API), hover → side panel, click → the explorer on that
// item, UMAP (computed in a worker, then cached), the user table and a form error naming the
// field. Screenshots at 1280×800 go to tests/artifacts/screenshots/map-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO, haveChromium, openBrowserSession, type BrowserSession } from '../helpers/browser';

const suite = haveChromium ? describe : describe.skip;

suite('embedding map (chromium)', () => {
  let s: BrowserSession;
  let page: Page;
  const call = (method: string, body: unknown) => s.call(method, body);
  const chart = () => page.getByTestId('embedding-map');
  const groups = async () => Object.fromEntries(((await chart().getAttribute('data-groups')) ?? '').split('|').filter(Boolean).map((g) => [g.slice(0, g.lastIndexOf(':')), Number(g.slice(g.lastIndexOf(':') + 1))]));
  const panelTitle = () => page.locator('#map-point-title').textContent();

  /** Sweep the mouse over the chart until the side panel shows a point; returns where. */
  async function findPoint(): Promise<{ x: number; y: number; title: string }> {
    const box = (await chart().boundingBox())!;
    for (let y = box.y + box.height * 0.3; y < box.y + box.height * 0.8; y += 5)
      for (let x = box.x + box.width * 0.2; x < box.x + box.width * 0.7; x += 5) {
        await page.mouse.move(x, y);
        const t = (await panelTitle()) ?? '';
        if (/^(Item|User) \d+$/.test(t.trim())) return { x, y, title: t.trim() };
      }
    throw new Error('no point found under the mouse');
  }

  beforeAll(async () => {
    s = await openBrowserSession();
    page = s.page;
    await call('importDataset', { path: DEMO, name: 'demo-cold', setting: 'cold' });
    const { runId } = (await call('startRun', { dataset: 'demo-cold', model: 'micro', name: 'e2e map', trainOverrides: { epochs: 2, evalEvery: 2 } })) as { runId: number };
    let status = 'queued';
    for (const until = Date.now() + 150_000; Date.now() < until && (status === 'queued' || status === 'running'); await new Promise((r) => setTimeout(r, 500)))
      status = ((await call('getRun', { runId })).run as { status: string }).status;
    expect(status).toBe('completed');
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  it('draws the PCA map coloured by category, then by cold / warm with the API counts', async () => {
    await s.view('#/map?run=1');
    await page.locator('[data-testid="embedding-map"][data-points="400"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('.map-card').textContent()).resolves.toMatch(/PC1 \+ PC2 explain \d+\.\d% of the variance/);
    await expect(page.locator('#map-colour option').allTextContents()).resolves.toEqual(['Category', 'Cold / warm', 'Dominant modality (α)', 'Popularity (train interactions)']);
    const api = (await call('embeddingMap', { runId: 1, embedding: 'item_final' })) as { categories: string[]; category: number[]; cold: boolean[] };
    const byCat = await groups();
    for (const [q, name] of api.categories.entries()) expect(byCat[name]).toBe(api.category.filter((c) => c === q).length);
    await s.shot('map-pca-category-1280');
    await page.selectOption('#map-colour', 'cold');
    await expect.poll(groups).toEqual({ 'warm (in train)': api.cold.filter((c) => !c).length, 'cold (never in train)': api.cold.filter(Boolean).length });
    expect(page.url()).toContain('colour=cold');
    await s.shot('map-pca-cold-1280');
    // The address is the state: Back returns to the category colouring (no redirect loop).
    await page.goBack();
    await expect.poll(groups).toEqual(byCat);
    expect(page.url()).not.toContain('colour=cold');
  }, 90_000);

  it('hover shows the item beside the map, click opens it in the explorer', async () => {
    await s.view('#/map?run=1&colour=modality');
    await page.locator('[data-testid="embedding-map"][data-points="400"]').waitFor({ timeout: 30_000 });
    expect(Object.keys(await groups()).every((g) => /^(visual|textual) dominant$/.test(g))).toBe(true);
    const { x, y, title } = await findPoint();
    const item = title.replace('Item ', '');
    await expect(page.locator('.map-side dl').textContent()).resolves.toMatch(/Train interactions\d+.*Dominant α(visual|textual) 0\.\d{3}/);
    await page.locator('.map-side img.thumb').waitFor({ timeout: 10_000 });
    await s.shot('map-hover-1280');
    await page.mouse.click(x, y);
    await expect.poll(() => page.url()).toContain(`#/explorer?run=1&item=${item}`);
    await expect.poll(() => page.locator('.item-head').getAttribute('data-item'), { timeout: 30_000 }).toBe(item);
  }, 90_000);

  it('UMAP in a worker (then from the cache), the user table, and a form error naming the field', async () => {
    await s.view('#/map?run=1');
    await page.locator('[data-testid="embedding-map"][data-points="400"]').waitFor({ timeout: 30_000 });
    await page.selectOption('#map-method', 'umap');
    await expect(page.locator('.map-card').textContent({ timeout: 90_000 })).resolves.toMatch(/UMAP: 15 neighbours \(cosine\), min dist 0\.1, seed 123\. Computed in \d/);
    await s.shot('map-umap-1280');
    // Away and back: the server answers the same layout from its cache.
    await page.selectOption('#map-method', 'pca');
    await expect.poll(() => page.locator('.map-card').textContent(), { timeout: 30_000 }).toMatch(/PC1 \+ PC2/);
    await page.selectOption('#map-method', 'umap');
    await expect.poll(() => page.locator('.map-card').textContent(), { timeout: 30_000 }).toMatch(/seed 123\. From the cache/);
    await page.fill('#map-nn', '1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Neighbours: enter an integer between 2 and 100');
    await s.view('#/map?run=1&emb=user_final&colour=popularity');
    await page.locator('[data-testid="embedding-map"][data-points="600"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('#map-colour option').allTextContents()).resolves.toEqual(['Activity (train interactions)']);
    const { x, y, title } = await findPoint();
    await page.mouse.click(x, y);
    await expect.poll(() => page.url()).toContain(`#/users?run=1&user=${title.replace('User ', '')}`);
    expect(s.logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  }, 150_000);
});
