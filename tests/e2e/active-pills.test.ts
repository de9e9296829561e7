// The header's live-training pills with more runs than fit (browser mode, tests/helpers/browser.ts):
// a 3-cell sweep run with parallel 3 trains three runs at once; the header shows two pills and a
// "+1 more" pill whose title names the third run, and at 1280 px nothing in the header overflows
// or wraps.
// Screenshot: tests/artifacts/screenshots/active-pills.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, haveChromium, openBrowserSession, type BrowserSession } from '../helpers/browser';
import type { ActiveRun, StudyDetails } from '../../src/shared/api';

const suite = haveChromium ? describe : describe.skip;

suite('active-run pills in browser mode (chromium)', () => {
  let s: BrowserSession;
  let studyId = 0;

  beforeAll(async () => {
    s = await openBrowserSession();
    await s.call('importDataset', { path: DEMO, name: 'demo-warm', setting: 'warm' });
  }, 240_000);

  afterAll(async () => {
    if (studyId) await s?.call('cancelStudy', { studyId }).catch(() => {});
    await s?.close();
  });

  it('collapses the runs past two into one "+N more" pill and keeps the header within the window', async () => {
    const study = (await s.call('createStudy', { kind: 'sweep', dataset: 'demo-warm', param: 'topK', values: [0, 5, 20], seeds: 1, epochs: 400 })) as unknown as StudyDetails;
    studyId = study.study.id;
    await s.call('startStudy', { studyId, parallel: 3 });
    await s.view('#/runs');
    const more = s.page.locator('.active-runs .active-pill.more');
    await more.waitFor({ timeout: 120_000 });
    expect(await more.textContent()).toBe('+1 more');
    expect(await s.page.locator('.active-runs .active-pill:not(.more)').count()).toBe(2);
    const active = (await s.call('activeRuns', {})) as unknown as ActiveRun[];
    expect(active.length).toBe(3);
    const shownIds = await s.page.locator('.active-runs .active-pill:not(.more)').evaluateAll((els) => els.map((e) => Number(/#(\d+)/.exec(e.textContent ?? '')?.[1])));
    const hiddenRun = active.find((a) => !shownIds.includes(a.runId))!;
    expect(await more.getAttribute('title')).toContain(`#${hiddenRun.runId} `);
    const overflow = await s.page.evaluate(() => {
      const bar = document.querySelector('.topbar') as HTMLElement;
      const right = Math.max(...[...bar.querySelectorAll('a')].map((a) => a.getBoundingClientRect().right));
      const navHeights = [...bar.querySelectorAll('nav a')].map((a) => a.getBoundingClientRect().height);
      return { scroll: bar.scrollWidth, client: bar.clientWidth, right, window: window.innerWidth, tallestNav: Math.max(...navHeights) };
    });
    expect(overflow.tallestNav).toBeLessThan(40); // one line each (two lines are ~48 px)
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.right).toBeLessThanOrEqual(overflow.window);
    await s.shot('active-pills');
  }, 240_000);
});
