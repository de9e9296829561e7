// Every way a CLI command can fail, as one short code, its exit status, and a one-line message.
// Exit codes: 0 success; 1 failure; 2 usage error / bad arguments; 3 bad input data (incl. missing
// paths); 4 run store refused to open; 130 cancelled (Ctrl-C).
import { CommanderError } from 'commander';
import { ApiError, type ApiErrorCode } from '../../shared/api';

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

/** How each API error reads on the command line (UNAVAILABLE: the store refused to open, exit 4). */
const API_CODES: Record<ApiErrorCode, CliErrorCode> = {
  INVALID_INPUT: 'USAGE',
  UNAUTHORIZED: 'FAILED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAVAILABLE: 'STORE',
  CANCELLED: 'CANCELLED',
  LIMIT: 'FAILED',
  FAILED: 'FAILED',
};

/**
 * A call that reads a dataset's files (import, split, diagnose): the API reports bad files as
 * INVALID_INPUT (they are the call's input), the command line as bad data (exit 3).
 */
export async function readingData<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'INVALID_INPUT') throw new CliError('DATA', firstLine(e));
    throw e;
  }
}

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
  if (e instanceof ApiError) return new CliError(API_CODES[e.code] ?? 'FAILED', message);
  return new CliError('FAILED', message);
}

function firstLine(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.split('\n')[0] || String(e);
}
