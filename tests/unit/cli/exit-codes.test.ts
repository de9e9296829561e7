// Exit codes and error shapes of the real CLI, as scripts rely on them: 2 usage / bad arguments
// (one line plus a `see: micro <cmd> --help` hint, never the whole help), 3 bad input data,
// 1 failure, 4 store refused; with --json the error is {"ok":false,"error":{code,message}} on stdout.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { REPO_ROOT as repo } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const cli = path.join(repo, 'bin/micro.mjs');
const dir = fileTempDir('micro-exit-');
const store = path.join(dir, 'runs.sqlite');
const newer = path.join(dir, 'newer.sqlite');
let completedRun = 0;

async function micro(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout: string; stderr: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  const imp = spawnSync(process.execPath, [cli, '--store', store, 'datasets', 'import', path.join(repo, 'resources/demo'), '--name', 'demo', '--setting', 'warm'], { encoding: 'utf8' });
  expect(imp.status, imp.stderr).toBe(0);
  const t = spawnSync(process.execPath, [cli, '--store', store, '--json', 'train', '--dataset', 'demo', '--model', 'popularity'], { encoding: 'utf8', timeout: 120_000 });
  expect(t.status, t.stderr).toBe(0);
  completedRun = JSON.parse(t.stdout).run.id;
  spawnSync(process.execPath, [cli, '--store', newer, 'datasets', 'list']);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(newer);
  db.pragma('user_version = 999');
  db.close();
}, 200_000);

interface Case {
  argv: () => string[];
  exit: number;
  /** JSON error code (for --json cases) */
  code?: string;
  message: RegExp;
  /** usage errors end with this hint line */
  hint?: string;
}

const S = () => ['--store', store];
const cases: [string, Case][] = [
  ['unknown command', { argv: () => [...S(), 'bogus'], exit: 2, message: /unknown command 'bogus'/, hint: 'see: micro --help' }],
  ['unknown option', { argv: () => [...S(), 'train', '--dataset', 'demo', '--bogus'], exit: 2, message: /unknown option '--bogus'/, hint: 'see: micro train --help' }],
  ['missing argument', { argv: () => [...S(), 'resume'], exit: 2, message: /missing required argument 'runId'/, hint: 'see: micro resume --help' }],
  ['missing required option', { argv: () => [...S(), 'train'], exit: 2, message: /--dataset/, hint: 'see: micro train --help' }],
  ['command group without its command', { argv: () => [...S(), 'runs'], exit: 2, message: /missing command \(one of: list, show, rename, delete\)/, hint: 'see: micro runs --help' }],
  ['bad choice', { argv: () => [...S(), 'train', '--dataset', 'demo', '--model', 'gpt'], exit: 2, message: /--model.*gpt/, hint: 'see: micro train --help' }],
  ['non-numeric --epochs', { argv: () => [...S(), 'train', '--dataset', 'demo', '--epochs', 'many'], exit: 2, message: /--epochs.*many/, hint: 'see: micro train --help' }],
  ['--set unknown key', { argv: () => [...S(), 'train', '--dataset', 'demo', '--set', 'colour=blue'], exit: 2, message: /--set colour: unknown option for micro/, hint: 'see: micro train --help' }],
  ['--set wrong type', { argv: () => [...S(), 'train', '--dataset', 'demo', '--set', 'lr=fast'], exit: 2, message: /lr: .*expected number/, hint: 'see: micro train --help' }],
  ['--set out of range', { argv: () => [...S(), 'train', '--dataset', 'demo', '--set', 'lambda=2'], exit: 2, message: /lambda/, hint: 'see: micro train --help' }],
  ['--set without =', { argv: () => [...S(), 'train', '--dataset', 'demo', '--set', 'epochs'], exit: 2, message: /--set expects key=value/, hint: 'see: micro train --help' }],
  ['--set unknown key, JSON', { argv: () => [...S(), '--json', 'train', '--dataset', 'demo', '--model', 'lightgcn', '--set', 'topK=5'], exit: 2, code: 'USAGE', message: /topK: unknown option for lightgcn/ }],
  ['non-numeric run id', { argv: () => [...S(), 'resume', 'abc'], exit: 2, message: /runId.*abc/, hint: 'see: micro resume --help' }],
  ['negative run id', { argv: () => [...S(), 'runs', 'show', '-1'], exit: 2, message: /-1/, hint: 'see: micro runs show --help' }],
  ['fractional run id, JSON', { argv: () => [...S(), '--json', 'eval', '1.5'], exit: 2, code: 'USAGE', message: /runId.*1\.5/ }],
  ['usage error, JSON', { argv: () => [...S(), '--json', 'bogus'], exit: 2, code: 'USAGE', message: /unknown command 'bogus'/ }],
  ['import of a missing folder', { argv: () => [...S(), 'datasets', 'import', path.join(dir, 'nowhere')], exit: 3, message: /nowhere: dataset folder or file not found/ }],
  ['train on a missing dataset', { argv: () => [...S(), 'train', '--dataset', path.join(dir, 'nowhere')], exit: 3, message: /no dataset named ".*nowhere" and no such folder \(registered: demo\)/ }],
  ['info on a missing dataset, JSON', { argv: () => [...S(), '--json', 'datasets', 'info', 'nope'], exit: 3, code: 'DATA', message: /no dataset named "nope"/ }],
  ['unknown run', { argv: () => [...S(), 'runs', 'show', '999'], exit: 1, message: /run 999 not found/ }],
  ['unknown run, JSON', { argv: () => [...S(), '--json', 'eval', '999'], exit: 1, code: 'NOT_FOUND', message: /run 999 not found/ }],
  ['resume of a completed run', { argv: () => [...S(), 'resume', String(completedRun)], exit: 1, message: /run \d+ is completed; there is nothing to resume/ }],
  ['resume of a completed run, JSON', { argv: () => [...S(), '--json', 'resume', String(completedRun)], exit: 1, code: 'CONFLICT', message: /is completed/ }],
  ['store written by a newer version, JSON', { argv: () => ['--store', newer, '--json', 'runs', 'list'], exit: 4, code: 'STORE', message: /newer/ }],
];

describe('micro exit codes and error shapes', () => {
  it.concurrent.each(cases)('%s', async (_name, c) => {
    const argv = c.argv();
    const r = await micro(argv);
    expect(r.code, r.stderr + r.stdout).toBe(c.exit);
    expect(r.stdout + r.stderr).not.toMatch(/Usage:/); // never the whole help
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    if (argv.includes('--json')) {
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const body = JSON.parse(lines[0]);
      expect(body).toEqual({ ok: false, error: { code: c.code, message: expect.stringMatching(c.message) } });
    } else {
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^micro: /);
      expect(lines[0]).toMatch(c.message);
      expect(lines).toEqual(c.hint ? [lines[0], c.hint] : [lines[0]]);
    }
  });

  it('--help and --version still print to stdout and exit 0', async () => {
    const h = await micro(['train', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Usage: micro train/);
    const v = await micro(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
