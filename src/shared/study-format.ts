// A study table as text: an aligned terminal table, CSV (every number, full precision), Markdown
// and LaTeX (booktabs; the best mean of each metric in bold). Pure functions over the API's
// StudyTable, so the CLI and the app format it the same way.
import type { StudyRow, StudyTable } from './studies';
import { PROTOCOL_LABELS, type StudyTableFormat } from './vocabulary';

const f4 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(4));
/** p-values: three decimals, small ones in scientific notation. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}
const meanStd = (r: StudyRow, m: string) => {
  const s = r.metrics[m];
  if (!s || s.mean === null) return '–';
  return s.std === null ? f4(s.mean) : `${f4(s.mean)} ± ${f4(s.std)}`;
};
const ci = (r: StudyRow, m: string) => {
  const c = r.metrics[m]?.ci;
  return c ? `[${f4(c[0])}, ${f4(c[1])}]` : '–';
};
const label = (r: StudyRow) => (r.reference ? `${r.label} (ref.)` : r.label);

function bestMeans(t: StudyTable): Map<string, number> {
  const best = new Map<string, number>();
  for (const m of t.metrics) {
    const xs = t.rows.map((r) => r.metrics[m]?.mean).filter((x): x is number => x !== null && x !== undefined);
    if (xs.length) best.set(m, Math.max(...xs));
  }
  return best;
}

/** Header and display cells: variant, seeds, each metric mean ± std, the primary metric's CI, Δ and p-values. */
export function studyDisplay(t: StudyTable): { header: string[]; rows: string[][] } {
  const header = ['variant', 'seeds', ...t.metrics, `95% CI ${t.metric}`, `Δ ${t.metric}`, 'p users', 'p users (Holm)', 'p seeds', 'p seeds (Holm)'];
  const rows = t.rows.map((r) => {
    const delta = r.acrossSeeds?.meanDiff ?? null;
    return [
      label(r),
      String(r.seeds),
      ...t.metrics.map((m) => meanStd(r, m)),
      ci(r, t.metric),
      r.reference ? '' : delta === null ? '–' : `${delta >= 0 ? '+' : ''}${f4(delta)}`,
      r.reference ? '' : formatP(r.perUser?.p),
      r.reference ? '' : formatP(r.perUser?.pHolm),
      r.reference ? '' : formatP(r.acrossSeeds?.p),
      r.reference ? '' : formatP(r.acrossSeeds?.pHolm),
    ];
  });
  return { header, rows };
}

function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(t: StudyTable): string {
  const header = ['variant', 'label', 'reference', 'seeds'];
  for (const m of t.metrics) header.push(`${m}_mean`, `${m}_std`, `${m}_ci_low`, `${m}_ci_high`);
  header.push('metric', 'users', 'mean_diff', 'p_users', 'p_users_holm', 'users_method', 'p_seeds', 'p_seeds_holm');
  const lines = [header.join(',')];
  for (const r of t.rows) {
    const cells: (string | number | null | undefined)[] = [r.variant, r.label, r.reference ? 1 : 0, r.seeds];
    for (const m of t.metrics) {
      const s = r.metrics[m];
      cells.push(s?.mean, s?.std, s?.ci?.[0], s?.ci?.[1]);
    }
    cells.push(t.metric, r.perUser?.n, r.acrossSeeds?.meanDiff, r.perUser?.p, r.perUser?.pHolm, r.perUser?.method, r.acrossSeeds?.p, r.acrossSeeds?.pHolm);
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n');
}

function aligned(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdown(t: StudyTable): string {
  const { header, rows } = studyDisplay(t);
  const best = bestMeans(t);
  const bold = rows.map((row, q) => row.map((c, j) => (j >= 2 && j < 2 + t.metrics.length && t.rows[q].metrics[t.metrics[j - 2]]?.mean === best.get(t.metrics[j - 2]) ? `**${c}**` : c)));
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map((_, j) => (j === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...bold.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const latexEscape = (s: string) => s.replace(/\\/g, '\\textbackslash{}').replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}').replace(/\^/g, '\\textasciicircum{}');

function latex(t: StudyTable): string {
  const { header, rows } = studyDisplay(t);
  const best = bestMeans(t);
  const cell = (c: string) => latexEscape(c).replace(/ ± /g, ' $\\pm$ ').replace(/–/g, '--').replace(/Δ/g, '$\\Delta$');
  const body = rows.map((row, q) =>
    row.map((c, j) => (j >= 2 && j < 2 + t.metrics.length && t.rows[q].metrics[t.metrics[j - 2]]?.mean === best.get(t.metrics[j - 2]) ? `\\textbf{${cell(c)}}` : cell(c))).join(' & ') + ' \\\\',
  );
  return [
    `% ${latexEscape(t.name)}: ${t.kind} on ${latexEscape(t.dataset)} (${t.split}${t.setting ? `, ${t.setting}` : ''}, ${PROTOCOL_LABELS[t.protocol]}); mean $\\pm$ std over seeds; p-values of ${latexEscape(t.metric)} against the reference`,
    `\\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
    '\\toprule',
    `${header.map(cell).join(' & ')} \\\\`,
    '\\midrule',
    ...body,
    '\\bottomrule',
    '\\end{tabular}',
  ].join('\n');
}

export function formatStudyTable(t: StudyTable, format: StudyTableFormat): string {
  if (format === 'csv') return csv(t);
  if (format === 'markdown') return markdown(t);
  if (format === 'latex') return latex(t);
  const { header, rows } = studyDisplay(t);
  return aligned(header, rows);
}
