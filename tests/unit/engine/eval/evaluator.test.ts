import { describe, expect, it } from 'vitest';
import { evaluateRanking, evaluateRankingAsync, evaluationTieOrder, itemsWithoutTrain, topKRow, usersWithItems } from '../../../../src/main/engine/eval/evaluator';
import type { ProgressEvent, UserItems } from '../../../../src/main/engine/types';

const l2 = Math.log2;

function userItems(lists: number[][]): UserItems {
  const indptr = new Int32Array(lists.length + 1);
  lists.forEach((l, u) => (indptr[u + 1] = indptr[u] + l.length));
  return { nUsers: lists.length, indptr, indices: Int32Array.from(lists.flatMap((l) => [...l].sort((a, b) => a - b))) };
}

// 3 users x 6 items.
//   u0: train {0}, held-out {1, 2}; scores [9, 1, 8, 7, 0, 2]
//       item 0 (score 9) is masked -> ranking 2, 3, 5, 1, 4
//   u1: no held-out items -> skipped (never scored)
//   u2: train {5}, held-out {4}; scores [0, 0, 0, 0, 1, 9]
//       item 5 masked -> ranking 4, then the ties 0, 1, 2, 3 in the evaluation's tie order
const SCORES = [
  [9, 1, 8, 7, 0, 2],
  [5, 5, 5, 5, 5, 5],
  [0, 0, 0, 0, 1, 9],
];
const train = userItems([[0], [1, 2], [5]]);
const heldOut = userItems([[1, 2], [], [4]]);

function scorer(calls: number[][]) {
  return (users: Int32Array): Float32Array => {
    calls.push(Array.from(users));
    const out = new Float32Array(users.length * 6);
    users.forEach((u, b) => out.set(SCORES[u], b * 6));
    return out;
  };
}

describe('evaluateRanking', () => {
  it('hand-made score matrix', () => {
    const calls: number[][] = [];
    const progress: ProgressEvent[] = [];
    const res = evaluateRanking({
      nItems: 6, train, heldOut, ks: [2, 5], scoreUsers: scorer(calls), userBatch: 1, keepPerUser: true,
      onProgress: (e) => progress.push(e),
    });
    expect(res.users).toBe(2);
    expect(calls).toEqual([[0], [2]]); // u1 skipped, batches of 1
    expect(progress.map((p) => [p.batch, p.batches])).toEqual([[1, 2], [2, 2]]);
    // @2: u0 top [2, 3] -> r = [1, 0], |T| = 2; u2 top [4, 0] -> r = [1, 0], |T| = 1
    const u0ndcg2 = 1 / (1 + 1 / l2(3)); // IDCG from min(2, 2) = 2 ones
    expect(res.metrics['recall@2']).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(res.metrics['precision@2']).toBeCloseTo((1 / 2 + 1 / 2) / 2, 12);
    expect(res.metrics['hit@2']).toBe(1);
    expect(res.metrics['ndcg@2']).toBeCloseTo((u0ndcg2 + 1) / 2, 12);
    expect(res.metrics['ndcg_ref@2']).toBeCloseTo((1 + 1) / 2, 12);
    // @5: u0 ranking [2, 3, 5, 1, 4] -> r = [1, 0, 0, 1, 0]; u2 ranking [4, 0, 1, 2, 3] -> r = [1, 0, 0, 0, 0]
    const u0ndcg5 = (1 + 1 / l2(5)) / (1 + 1 / l2(3));
    expect(res.metrics['recall@5']).toBeCloseTo(1, 12);
    expect(res.metrics['precision@5']).toBeCloseTo((2 / 5 + 1 / 5) / 2, 12);
    expect(res.metrics['ndcg@5']).toBeCloseTo((u0ndcg5 + 1) / 2, 12);
    expect(res.metrics['ndcg_ref@5']).toBeCloseTo((u0ndcg5 + 1) / 2, 12);
    expect(Array.from(res.perUser!.users)).toEqual([0, 2]);
    expect(res.perUser!.metrics['ndcg@2'][0]).toBeCloseTo(u0ndcg2, 6);
    expect(res.perUser!.metrics['recall@2'][1]).toBe(1);
  });

  it('masks train items only (without the mask u0 would rank item 0 first)', () => {
    // u0 held-out {0}: item 0 is also a train item -> masked, can never be retrieved
    const res = evaluateRanking({
      nItems: 6, train, heldOut: userItems([[0], [], []]), ks: [5], scoreUsers: scorer([]),
    });
    expect(res.metrics['recall@5']).toBe(0);
    // a held-out item that is NOT in train is not masked even if it belongs to another split
    const res2 = evaluateRanking({
      nItems: 6, train: userItems([[], [], []]), heldOut: userItems([[0], [], []]), ks: [1], scoreUsers: scorer([]),
    });
    expect(res2.metrics['recall@1']).toBe(1);
  });

  it('default ks, batching, candidate restriction and the async variant', async () => {
    const res = evaluateRanking({ nItems: 6, train, heldOut, scoreUsers: scorer([]) });
    expect(Object.keys(res.metrics)).toContain('ndcg_ref@50');
    expect(Object.keys(res.metrics)).toContain('hit@10');
    expect(res.metrics['recall@10']).toBe(1);
    // candidates {1, 3, 4}: u0 ranking [3 (7), 1 (1), 4 (0)] -> r@2 = [0, 1]; u2 ranking [4, 1, 3] -> [1, 0]
    const cand = evaluateRanking({ nItems: 6, train, heldOut, ks: [2], scoreUsers: scorer([]), candidateItems: Int32Array.from([4, 3, 1, 3]) });
    expect(cand.metrics['recall@2']).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(cand.metrics['ndcg@2']).toBeCloseTo((1 / l2(3) / (1 + 1 / l2(3)) + 1) / 2, 12);
    expect(cand.metrics['ndcg_ref@2']).toBeCloseTo((1 / l2(3) + 1) / 2, 12);
    const sync = evaluateRanking({ nItems: 6, train, heldOut, ks: [2, 5], scoreUsers: scorer([]) });
    const asyncRes = await evaluateRankingAsync({
      nItems: 6, train, heldOut, ks: [2, 5], userBatch: 1,
      scoreUsers: async (u) => scorer([])(u),
    });
    expect(asyncRes).toEqual(sync);
  });

  it('a protocol ranks the same scores over its candidates, keys prefixed, per user too', () => {
    // The hand-computed candidate case above, now as the 'cold-only' protocol of one pass.
    const both = evaluateRanking({ nItems: 6, train, heldOut, ks: [2], scoreUsers: scorer([]), keepPerUser: true, protocols: [{ prefix: 'cold-only', items: Int32Array.from([4, 3, 1, 3]) }] });
    const plain = evaluateRanking({ nItems: 6, train, heldOut, ks: [2], scoreUsers: scorer([]) });
    expect(both.metrics['recall@2']).toBe(plain.metrics['recall@2']);
    expect(both.metrics['cold-only:recall@2']).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(both.metrics['cold-only:ndcg@2']).toBeCloseTo((1 / l2(3) / (1 + 1 / l2(3)) + 1) / 2, 12);
    expect(Array.from(both.perUser!.metrics['cold-only:recall@2'])).toEqual([0.5, 1]);
    expect(Array.from(both.perUser!.users)).toEqual([0, 2]);
  });

  it('itemsWithoutTrain lists the items no user has in train', () => {
    expect(Array.from(itemsWithoutTrain(userItems([[0, 2], [], [2, 5]]), 7))).toEqual([1, 3, 4, 6]);
  });

  it('no evaluated users -> zeros; bad score length throws', () => {
    const res = evaluateRanking({ nItems: 6, train, heldOut: userItems([[], [], []]), ks: [2], scoreUsers: scorer([]) });
    expect(res.users).toBe(0);
    expect(res.metrics['recall@2']).toBe(0);
    expect(() => evaluateRanking({ nItems: 6, train, heldOut, ks: [2], scoreUsers: () => new Float32Array(3) })).toThrow(RangeError);
  });

  it('usersWithItems', () => {
    expect(Array.from(usersWithItems(heldOut))).toEqual([0, 2]);
  });
});

describe('topKRow', () => {
  it('equals a full sort by (score desc, id asc), skipping -Infinity and NaN', () => {
    let s = 3;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const [n, K] of [[200, 20], [50, 50], [30, 45], [1000, 1]]) {
      const scores = Float32Array.from({ length: n }, () => Math.floor(rnd() * 12)); // many ties
      for (let t = 0; t < n; t += 7) scores[t] = -Infinity;
      scores[1] = NaN;
      const expected = Array.from({ length: n }, (_, i) => i)
        .filter((i) => scores[i] > -Infinity)
        .sort((a, b) => scores[b] - scores[a] || a - b)
        .slice(0, K);
      const out = new Int32Array(K);
      const found = topKRow(scores, 0, n, K, out, new Float64Array(K), new Int32Array(K));
      expect(found).toBe(expected.length);
      expect(Array.from(out.subarray(0, found))).toEqual(expected);
      // With a tie key: (score desc, key asc), whatever the scan order.
      const key = evaluationTieOrder(n);
      const byKey = Array.from({ length: n }, (_, i) => i)
        .filter((i) => scores[i] > -Infinity)
        .sort((a, b) => scores[b] - scores[a] || key[a] - key[b])
        .slice(0, K);
      const foundK = topKRow(scores, 0, n, K, out, new Float64Array(K), new Int32Array(K), undefined, key);
      expect(Array.from(out.subarray(0, foundK))).toEqual(byKey);
    }
  });

  it('the evaluation orders ties by a fixed permutation, not by id (ids may carry popularity)', () => {
    const n = 50;
    const key = evaluationTieOrder(n);
    expect([...key].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(key.subarray(0, 10))).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(evaluationTieOrder(n)).toBe(key); // one order per catalogue size
    const first = key.indexOf(0);
    const flat = () => new Float32Array(n); // every item scores 0: a pure tie
    const hit = (item: number) => evaluateRanking({ nItems: n, train: userItems([[]]), heldOut: userItems([[item]]), ks: [1], scoreUsers: flat }).metrics['hit@1'];
    expect(hit(first)).toBe(1);
    expect(hit(first === 0 ? 1 : 0)).toBe(0);
  });
});
