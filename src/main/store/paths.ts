// Where the run store lives by default.
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'micro-workbench';
export const STORE_FILE_NAME = 'runs.sqlite';
export const STORE_ENV_VAR = 'MICRO_STORE';

export interface PathEnv {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The platform's per-user application-data folder for MICRO Workbench. */
export function appDataDir({ env = process.env, platform = process.platform, home = os.homedir() }: PathEnv = {}): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (platform === 'win32') {
    const base = nonEmpty(env.APPDATA) ?? p.join(home, 'AppData', 'Roaming');
    return p.join(base, APP_DIR_NAME);
  }
  if (platform === 'darwin') {
    return p.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  }
  // Linux and other Unixes: XDG base directory spec (relative XDG paths are invalid and ignored).
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  const base = xdg && p.isAbsolute(xdg) ? xdg : p.join(home, '.local', 'share');
  return p.join(base, APP_DIR_NAME);
}

/** Default store file: `$MICRO_STORE` if set, else `<appDataDir>/runs.sqlite`. */
export function defaultStorePath(opts: PathEnv = {}): string {
  const env = opts.env ?? process.env;
  const override = nonEmpty(env[STORE_ENV_VAR]);
  if (override) return path.resolve(override);
  const p = (opts.platform ?? process.platform) === 'win32' ? path.win32 : path.posix;
  return p.join(appDataDir(opts), STORE_FILE_NAME);
}

/** An explicit path (e.g. from a `--store` CLI flag) wins over `$MICRO_STORE` and the default. */
export function resolveStorePath(explicit?: string | null, opts: PathEnv = {}): string {
  const e = nonEmpty(explicit ?? undefined);
  if (e) return e === ':memory:' ? e : path.resolve(e);
  return defaultStorePath(opts);
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}
