// What the CLI prints: a human text or the JSON value on stdout, errors as one line on stderr
// (or `{"ok":false,"error":{code,message}}` on stdout with --json), tables and number formats.
import type { CliError } from './errors';

export interface OutputOpts {
  json?: boolean;
}

export function out(g: OutputOpts, human: () => string, data: unknown): void {
  if (g.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

export function writeError(g: OutputOpts, e: CliError): void {
  if (g.json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message } })}\n`);
  else process.stderr.write(`micro: ${e.message}\n${e.hint ? `${e.hint}\n` : ''}`);
}

/** A note on stderr for people (never in --json or --quiet mode). */
export function note(g: OutputOpts & { quiet?: boolean }, line: string): void {
  if (!g.json && !g.quiet) process.stderr.write(`${line}\n`);
}

export function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(4);
}

export function table(rows: (string | number | null | undefined)[][], header: string[]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isNaN(c) ? '' : fmt(c)) : (c ?? ''))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  return cells
    .map((r, j) => {
      const line = r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ');
      return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

export function metricsLine(m: Record<string, number> | null | undefined): string {
  if (!m) return '(no held-out interactions)';
  return ['recall@20', 'ndcg@20', 'precision@20', 'hit@20', 'ndcg_ref@20'].map((k) => `${k} ${fmt(m[k] ?? NaN)}`).join('  ');
}
