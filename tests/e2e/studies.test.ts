// The Studies view in the real UI (browser mode, tests/helpers/browser.ts): a 2-variant sweep of
// topK on the demo's warm split (the value 0, the preset's 10 added by the planner; 2 seeds, 1
// epoch) defined in the form — the API's validation errors first, each beside its field — then
// created and run in one click, cancelled and resumed, watched to completion (the progress text
// advances and an ETA shows), its cells linked to their runs, its table checked against the
// API's studyTable, the CSV download against study-format.ts, the chart drawn and downloaded as
// PNG. Screenshots at 1280 px: tests/artifacts/screenshots/studies.png (the study page) and
// studies-list.png (the form and the list).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO, haveChromium, openBrowserSession, type BrowserSession } from '../helpers/browser';
import type { StudyDetails, StudyTable } from '../../src/shared/api';
import { formatStudyTable } from '../../src/shared/study-format';

const suite = haveChromium ? describe : describe.skip;

/** "0.0825 ± 0.0006" → [0.0825, 0.0006]; "[0.0772, 0.0878]" → [0.0772, 0.0878]. */
const numbers = (text: string | null) => (text ?? '').match(/-?\d+(\.\d+)?(e-?\d+)?/g)?.map(Number) ?? [];

suite('studies in browser mode (chromium)', () => {
  let s: BrowserSession;
  let page: Page;
  let studyId = 0;
  const call = <T>(method: string, body: unknown) => s.call(method, body) as Promise<T>;
  const progressText = () => page.getByTestId('study-progress-text').textContent();

  beforeAll(async () => {
    s = await openBrowserSession();
    page = s.page;
    await call('importDataset', { path: DEMO, name: 'demo-warm', setting: 'warm' });
  }, 240_000);

  afterAll(async () => {
    await s?.close();
  });

  it('shows the API’s validation errors beside the fields they name', async () => {
    await s.view('#/studies');
    await page.getByText('No studies yet').waitFor({ timeout: 20_000 });
    await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Studies');
    await page.selectOption('#study-kind', 'sweep');
    await page.selectOption('#study-dataset', 'demo-warm');
    await expect(page.inputValue('#study-param')).resolves.toBe('topK');
    await expect(page.locator('#study-param optgroup').evaluateAll((gs) => gs.map((g) => g.getAttribute('label')))).resolves.toEqual(['Model hyperparameters', 'Training options']);
    await page.fill('#study-seeds', '0');
    await page.fill('#study-epochs', '1');
    const create = page.getByRole('button', { name: 'Create and run' });
    await create.click();
    // The schema's message, beside Seeds.
    await expect.poll(() => page.locator('[data-error-for="study-seeds"]').textContent(), { timeout: 10_000 }).toBe('expected an integer between 1 and 20');
    await page.fill('#study-seeds', '2');
    await create.click();
    // The planner's message, beside Values (the seeds error is gone).
    await expect.poll(() => page.locator('[data-error-for="study-values"]').textContent(), { timeout: 10_000 }).toContain('a sweep needs the values');
    await expect(page.locator('[data-error-for="study-seeds"]').count()).resolves.toBe(0);
    await expect(call<unknown[]>('listStudies', {})).resolves.toEqual([]);
  }, 60_000);

  it('creates and runs the sweep, cancels and resumes it, and watches it to completion', async () => {
    await page.fill('#study-values', '0');
    await expect(page.getByTestId('cell-estimate').textContent()).resolves.toBe('2 variant(s) × 2 seed(s) = 4 cells');
    await page.getByRole('button', { name: 'Create and run' }).click();
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/#\/study\?id=\d+$/);
    studyId = Number(new URL(page.url().replace('#/', '')).searchParams.get('id'));
    const text = page.getByTestId('study-progress-text');
    await text.waitFor({ timeout: 10_000 });
    // Every text the progress line shows from here on.
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="study-progress-text"]')!;
      const seen: string[] = [el.textContent ?? ''];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { subtree: true, childList: true, characterData: true });
    });
    await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('Studies');
    await expect(page.locator('ul[aria-label="Plan notes"]').textContent()).resolves.toContain('topK=10 added: the reference cell is the default value');
    await expect(page.locator('ul[aria-label="Variants"] li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-variant')))).resolves.toEqual(['topK=0', 'topK=10']);

    // Cancel while the first cells train: the queue stops, resumable.
    await page.getByRole('button', { name: 'Cancel study' }).click({ timeout: 5_000 });
    await expect.poll(() => page.getByTestId('study-status').textContent(), { timeout: 30_000 }).toBe('cancelled');
    await expect(page.getByTestId('study-problem').textContent()).resolves.toMatch(/^Cancelled: cancelled with [1-4] of 4 cells unfinished/);
    const stopped = await call<StudyDetails>('getStudy', { studyId });
    expect(stopped.study.status).toBe('cancelled');
    expect(stopped.progress.completed).toBeLessThan(4);

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('study-status').textContent(), { timeout: 120_000, interval: 250 }).toBe('completed');
    await expect.poll(progressText, { timeout: 10_000 }).toMatch(/^\s*4\/4 cells completed · 0 running · 0 failed · 0 pending/);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const counts = new Set(seen.map((t) => /(\d)\/4 cells completed/.exec(t)?.[1]).filter(Boolean));
    expect(counts.size).toBeGreaterThanOrEqual(2);
    expect(counts.has('4')).toBe(true);
    expect(seen.some((t) => /· ETA \d+s/.test(t))).toBe(true);
    await expect(page.getByRole('progressbar', { name: 'Study progress' }).getAttribute('aria-valuenow')).resolves.toBe('100');

    // The cells grid: every cell completed, linked to the run the API names.
    const done = await call<StudyDetails>('getStudy', { studyId });
    expect(done.study.status).toBe('completed');
    for (const c of done.cells) {
      const cell = page.locator(`td[data-cell="${c.variant}/${c.seed}"]`);
      await expect(cell.getAttribute('data-status')).resolves.toBe('completed');
      await expect(cell.locator('a.cell-run').getAttribute('href')).resolves.toBe(`#/run?id=${c.runId}`);
    }
  }, 180_000);

  it('shows the table as the API computes it, downloads it, and draws the chart', async () => {
    const results = page.locator('table[aria-label="Study results"]');
    await results.locator('tbody tr').nth(1).waitFor({ timeout: 20_000 });
    const api = await call<StudyTable>('studyTable', { studyId, metric: 'recall@20', split: 'test' });
    await expect(results.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-variant')))).resolves.toEqual(api.rows.map((r) => r.variant));
    await expect(results.locator('tr.reference').getAttribute('data-variant')).resolves.toBe('topK=10');
    for (const r of api.rows) {
      const row = results.locator(`tr[data-variant="${r.variant}"]`);
      expect(r.seeds).toBe(2);
      for (const m of api.metrics) {
        const [mean, std] = numbers(await row.locator(`td[data-col="${m}"]`).textContent());
        expect(mean).toBeCloseTo(r.metrics[m].mean!, 4);
        expect(std).toBeCloseTo(r.metrics[m].std!, 4);
      }
      const [lo, hi] = numbers(await row.locator('td[data-col="95% CI recall@20"]').textContent());
      expect(lo).toBeCloseTo(r.metrics['recall@20'].ci![0], 4);
      expect(hi).toBeCloseTo(r.metrics['recall@20'].ci![1], 4);
      if (!r.reference) {
        const pHolm = numbers(await row.locator('td[data-col="p users (Holm)"]').textContent())[0];
        expect(Math.abs(Math.log10(pHolm) - Math.log10(r.perUser!.pHolm!))).toBeLessThan(0.05);
        const pSeeds = numbers(await row.locator('td[data-col="p seeds"]').textContent())[0];
        expect(pSeeds).toBeCloseTo(r.acrossSeeds!.p!, 2);
      }
    }
    await expect(page.locator('ul[aria-label="Table notes"] li').allTextContents()).resolves.toEqual(api.notes);

    // CSV / Markdown: the API's table through study-format.ts, as the CLI writes it.
    for (const [button, format, ext] of [['CSV', 'csv', 'csv'], ['Markdown', 'markdown', 'md']] as const) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
      expect(dl.suggestedFilename()).toMatch(new RegExp(`^study-${studyId}-.*\\.${ext}$`));
      const file = path.join(s.dir, `table.${ext}`);
      await dl.saveAs(file);
      expect(fs.readFileSync(file, 'utf8')).toBe(`${formatStudyTable(api, format)}\n`);
    }

    // The sweep's chart: a line over the two values with its band; PNG download.
    const chart = page.getByTestId('study-chart');
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).toBe('2');
    await expect(chart.locator('canvas').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('figure figcaption').filter({ hasText: 'over topK' }).textContent()).resolves.toBe(
      'recall@20 (test) over topK: mean over seeds; band: 95% CI over seeds (t); * per-user Wilcoxon p (Holm) < 0.05 against the reference',
    );
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Download PNG: Study \d+ recall@20 test over topK/ }).click()]);
    const pngFile = path.join(s.dir, 'study.png');
    await png.saveAs(pngFile);
    expect(fs.readFileSync(pngFile).subarray(1, 4).toString('latin1')).toBe('PNG');
    await page.evaluate(() => window.scrollTo(0, 0));
    await s.shot('studies', false, true);

    // Another metric: the table is recomputed for it.
    await page.selectOption('select[aria-label="Metric"]', 'ndcg@10');
    await expect.poll(() => results.getAttribute('data-metric'), { timeout: 10_000 }).toBe('ndcg@10');
    const ndcg = await call<StudyTable>('studyTable', { studyId, metric: 'ndcg@10', split: 'test' });
    const [mean] = numbers(await results.locator('tr[data-variant="topK=0"] td[data-col="ndcg@10"]').textContent());
    expect(mean).toBeCloseTo(ndcg.rows.find((r) => r.variant === 'topK=0')!.metrics['ndcg@10'].mean!, 4);
  }, 60_000);

  it('lists the study with its progress', async () => {
    await s.view('#/studies');
    const row = page.locator(`tr[data-study="${studyId}"]`);
    await row.waitFor({ timeout: 20_000 });
    await expect(row.getAttribute('data-status')).resolves.toBe('completed');
    await expect(row.locator('td.num').nth(1).textContent()).resolves.toBe('4/4');
    await expect(row.locator('a').getAttribute('href')).resolves.toBe(`#/study?id=${studyId}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await s.shot('studies-list');
  }, 30_000);
});
