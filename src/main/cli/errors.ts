// Every way a CLI command can fail, as one short code, its exit status, and a one-line message.
// Exit codes: 0 success; 1 failure; 2 usage error / bad arguments; 3 bad input data (incl. missing
// paths); 4 run store refused to open; 130 cancelled (Ctrl-C).
import { CommanderError } from 'commander';
import { isStoreError } from '../store';
import { ApiError } from '../../shared/api';

export const EXIT = { ok: 0, fail: 1, usage: 2, data: 3, store: 4, cancelled: 130 } as const;

export type CliErrorCode = 'USAGE' | 'DATA' | 'STORE' | 'FAILED' | 'NOT_FOUND' | 'CONFLICT' | 'CANCELLED';

const EXIT_OF: Record<CliErrorCode, number> = {
  USAGE: EXIT.usage,
  DATA: EXIT.data,
  STORE: EXIT.store,
  FAILED: EXIT.fail,
  NOT_FOUND: EXIT.fail,
  CONFLICT: EXIT.fail,
  CANCELLED: EXIT.cancelled,
};

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** Shown on a second line, e.g. `see: micro train --help`. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }

  get exitCode(): number {
    return EXIT_OF[this.code];
  }
}

/** Store errors raised while opening the file: the store refused to open (exit 4). */
const OPEN_CODES = new Set(['NEWER_SCHEMA', 'OLDER_SCHEMA', 'NOT_A_STORE', 'CORRUPT', 'MISSING_FILE', 'OPEN_FAILED']);

const API_CODES: Record<string, CliErrorCode> = { INVALID_INPUT: 'USAGE', NOT_FOUND: 'NOT_FOUND', CONFLICT: 'CONFLICT', CANCELLED: 'CANCELLED' };

/** The command a commander error came from and its subcommands (set by program.ts), for the hint. */
export const COMMAND_PATH = Symbol('commandPath');

/** Map anything thrown by a command (or by commander while parsing) to a CliError. */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof CommanderError) {
    const at = (e as CommanderError & { [COMMAND_PATH]?: { path: string; commands: string[] } })[COMMAND_PATH] ?? { path: 'micro', commands: [] };
    // A command group called without its subcommand: commander would print the whole help.
    const message = e.code === 'commander.help' ? `missing command${at.commands.length ? ` (one of: ${at.commands.join(', ')})` : ''}` : e.message.replace(/^error:\s*/, '');
    return new CliError('USAGE', message.split('\n')[0], `see: ${at.path} --help`);
  }
  const message = firstLine(e);
  if (isStoreError(e)) {
    if (OPEN_CODES.has(e.code)) return new CliError('STORE', message);
    if (e.code === 'NOT_FOUND') return new CliError('NOT_FOUND', message);
    if (e.code === 'INVALID_INPUT') return new CliError('USAGE', message);
    if (e.code === 'INVALID_TRANSITION' || e.code === 'RUN_ACTIVE' || e.code === 'IN_USE') return new CliError('CONFLICT', message);
    return new CliError('FAILED', message);
  }
  if (e instanceof ApiError) return new CliError(API_CODES[e.code] ?? 'FAILED', message);
  if ((e as Error)?.name === 'DataError') return new CliError('DATA', message);
  return new CliError('FAILED', message);
}

function firstLine(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.split('\n')[0] || String(e);
}
