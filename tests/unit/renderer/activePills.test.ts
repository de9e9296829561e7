// The header's live-training pills: at most MAX_PILLS pills, the rest counted in one "+N more" pill
// whose title lists them with their progress.
import { describe, expect, it } from 'vitest';
import type { ActiveRun } from '../../../src/shared/api';
import { MAX_PILLS, pillLabel, splitPills } from '../../../src/renderer/src/activePills';

const run = (runId: number, fraction?: number): ActiveRun => ({
  runId,
  name: `micro-${runId}`,
  model: 'micro',
  startedAt: null,
  progress: fraction === undefined ? null : { phase: 'train', fraction },
});

describe('splitPills', () => {
  it('keeps every run as a pill up to the limit', () => {
    const runs = [run(1, 0.25), run(2)];
    expect(MAX_PILLS).toBe(2);
    expect(splitPills(runs)).toEqual({ shown: runs, hidden: 0, hiddenTitle: '' });
  });

  it('collapses the runs past the limit into a count and a title, in order', () => {
    const runs = [run(4, 0.1), run(5, 0.5), run(6, 0.999), run(7)];
    const { shown, hidden, hiddenTitle } = splitPills(runs);
    expect(shown.map((r) => r.runId)).toEqual([4, 5]);
    expect(hidden).toBe(2);
    expect(hiddenTitle).toBe(`${pillLabel(runs[2])}, #7 micro …`);
    expect(pillLabel(runs[0])).toMatch(/^#4 micro 10\s?%$/);
  });

  it('takes another limit', () => {
    expect(splitPills([run(1), run(2), run(3)], 1).hidden).toBe(2);
  });
});
