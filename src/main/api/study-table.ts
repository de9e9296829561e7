// A study's results table: per variant the mean ± std and 95% t-interval over seeds of each
// metric, and two paired tests of the primary metric against the reference variant, each
// Holm-adjusted over the non-reference variants:
// - per user: Wilcoxon signed-rank over the test users. The users are the independent units and
//   the seeds are repeated measurements of the same user, so each user contributes ONE pair: the
//   variant − reference difference of that user's metric averaged over the seeds both variants
//   completed (paired seed by seed: same seed, same split). Pooling (user, seed) pairs instead
//   would count every user once per seed as if independent and overstate the evidence;
// - across seeds: a paired t-test over the seeds' mean metrics (df = seeds − 1).
// Per-user values come from each run's stored `per-user` artifacts (runs/execute.ts).
import type { RunStore, StudyCellRecord, StudyRecord } from '../store';
import { holm, pairedT, summarize, wilcoxonSignedRank } from '../engine/stats';
import type { MetricStat, PairedTest, Setting, StudyDefinition, StudyRow, StudyTable } from '../../shared/api';
import { finalEvaluations } from './records';
import { metricProtocol, protocolMetric, PROTOCOL_LABELS, type EvalProtocol } from '../../shared/vocabulary';

const COLUMNS = ['recall', 'ndcg', 'precision', 'hit'];
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

interface PerUser {
  users: Int32Array;
  values: Float32Array;
}

/** One metric column of a run's per-user artifact for a split, or null when the run stored none. */
function perUserColumn(store: RunStore, runId: number, split: 'val' | 'test', metric: string): PerUser | null {
  const m = store.findArtifact(runId, 'per-user', split, { payload: true });
  const u = store.findArtifact(runId, 'per-user', `${split}/users`, { payload: true });
  if (!m?.payload || !u?.payload || !m.shape) return null;
  const columns = (m.meta?.columns as string[] | undefined) ?? [];
  const j = columns.indexOf(metric);
  if (j < 0) return null;
  const [n, w] = m.shape;
  const all = new Float32Array(new Uint8Array(m.payload).buffer, 0, n * w);
  const values = new Float32Array(n);
  for (let q = 0; q < n; q++) values[q] = all[q * w + j];
  return { users: new Int32Array(new Uint8Array(u.payload).buffer, 0, n), values };
}

export function buildStudyTable(store: RunStore, study: StudyRecord, cells: StudyCellRecord[], metric: string, split: 'val' | 'test', protocol: EvalProtocol = 'all'): StudyTable {
  const def = study.definition as unknown as StudyDefinition;
  // Rows are keyed by the plain metric names; the stored values under the protocol's prefix.
  const stored = (key: string) => protocolMetric(protocol, key);
  const k = metric.split('@')[1];
  const metrics = [metric, ...COLUMNS.map((c) => `${c}@${k}`).filter((c) => c !== metric)];
  const notes: string[] = [...(def.notes ?? [])];
  let setting: Setting | null = null;
  // Final metric values of each completed cell: variant → seed → metric → value.
  const values = new Map<string, Map<number, { runId: number; m: Record<string, number> }>>();
  for (const c of cells) {
    if (c.status !== 'completed' || c.runId === null) continue;
    const run = store.getRun(c.runId);
    if (!run) continue;
    const m: Record<string, number> = {};
    for (const e of finalEvaluations(run, store.getEvaluations(run.id))) {
      if (e.split !== split || e.value === null) continue;
      setting = e.setting;
      const { protocol: p, key } = metricProtocol(`${e.metric}@${e.k}`);
      if (p === protocol) m[key] = e.value;
    }
    if (!(metric in m)) continue;
    if (!values.has(c.variant)) values.set(c.variant, new Map());
    values.get(c.variant)!.set(c.seed, { runId: run.id, m });
  }
  const ref = def.variants.find((v) => v.reference);
  const refCells = ref ? values.get(ref.key) : undefined;
  const rows: StudyRow[] = def.variants.map((v) => {
    const mine = values.get(v.key) ?? new Map();
    const stats: Record<string, MetricStat> = {};
    for (const key of metrics) {
      const xs = [...mine.values()].map((x) => x.m[key]).filter((x): x is number => x !== undefined);
      const s = summarize(xs);
      stats[key] = { n: s.n, mean: num(s.mean), std: s.std, ci: s.ci };
    }
    const row: StudyRow = { variant: v.key, label: v.label, reference: v.reference, seeds: mine.size, metrics: stats, perUser: null, acrossSeeds: null };
    if (v.reference || !refCells) return row;
    const seeds = [...mine.keys()].filter((s) => refCells.has(s)).sort((a, b) => a - b);
    if (!seeds.length) return row;
    const a = seeds.map((s) => mine.get(s)!.m[metric]);
    const b = seeds.map((s) => refCells.get(s)!.m[metric]);
    const t = pairedT(a, b);
    row.acrossSeeds = { n: t.n, meanDiff: num(t.meanDiff), p: num(t.p), pHolm: null, method: 't' };
    // Per user: mean over the common seeds of (variant − reference), users present in all of them.
    const sums = new Map<number, { d: number; n: number }>();
    let complete = true;
    for (const s of seeds) {
      const pv = perUserColumn(store, mine.get(s)!.runId, split, stored(metric));
      const pr = perUserColumn(store, refCells.get(s)!.runId, split, stored(metric));
      if (!pv || !pr) {
        complete = false;
        break;
      }
      const refByUser = new Map<number, number>();
      pr.users.forEach((u, q) => refByUser.set(u, pr.values[q]));
      pv.users.forEach((u, q) => {
        const r = refByUser.get(u);
        if (r === undefined) return;
        const e = sums.get(u) ?? { d: 0, n: 0 };
        e.d += pv.values[q] - r;
        e.n++;
        sums.set(u, e);
      });
    }
    if (!complete) {
      notes.push(`${v.label}: a run has no per-user metrics stored (made before they were kept); no per-user test`);
      return row;
    }
    const d = [...sums.values()].filter((e) => e.n === seeds.length).map((e) => e.d / e.n);
    const w = wilcoxonSignedRank(d);
    row.perUser = { n: d.length, meanDiff: d.length ? d.reduce((x, y) => x + y, 0) / d.length : null, p: num(w.p), pHolm: null, method: w.method };
    return row;
  });
  for (const pick of [(r: StudyRow) => r.perUser, (r: StudyRow) => r.acrossSeeds]) {
    const tests = rows.map(pick).filter((t): t is PairedTest => t !== null);
    const adj = holm(tests.map((t) => t.p ?? NaN));
    tests.forEach((t, q) => (t.pHolm = num(adj[q])));
  }
  if (!ref) notes.push('no reference variant: no paired tests');
  else {
    notes.push(`reference: ${ref.label}; p-values of ${metric} on ${split} (${PROTOCOL_LABELS[protocol]}), two-sided`);
    notes.push('per user: Wilcoxon signed-rank over users, each user\'s variant − reference difference averaged over the seeds both completed (exact for ≤ 50 non-zero differences, else normal approximation with tie correction)');
    notes.push('across seeds: paired t-test over the seeds\' means; both families Holm-adjusted over the non-reference variants');
  }
  const missing = cells.filter((c) => c.status !== 'completed').length;
  if (missing) notes.push(`${missing} of ${cells.length} cells not completed (left out)`);
  if (protocol !== 'all' && setting === 'warm') notes.push(`no ${PROTOCOL_LABELS[protocol]} values: the study's dataset is a warm split`);
  return { studyId: study.id, name: study.name, kind: study.kind, dataset: def.dataset, setting, split, protocol, metric, metrics, rows, notes };
}
