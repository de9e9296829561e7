import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore, appDataDir, defaultStorePath, resolveStorePath } from '../../../src/main/store';
import { tmpDir } from './helpers';

describe('default store location', () => {
  it('Linux: $XDG_DATA_HOME, else ~/.local/share (relative XDG ignored)', () => {
    expect(defaultStorePath({ platform: 'linux', home: '/home/u', env: { XDG_DATA_HOME: '/xdg' } })).toBe(
      '/xdg/micro-workbench/runs.sqlite',
    );
    expect(defaultStorePath({ platform: 'linux', home: '/home/u', env: {} })).toBe(
      '/home/u/.local/share/micro-workbench/runs.sqlite',
    );
    expect(defaultStorePath({ platform: 'linux', home: '/home/u', env: { XDG_DATA_HOME: 'rel' } })).toBe(
      '/home/u/.local/share/micro-workbench/runs.sqlite',
    );
  });

  it('macOS: ~/Library/Application Support', () => {
    expect(defaultStorePath({ platform: 'darwin', home: '/Users/u', env: {} })).toBe(
      '/Users/u/Library/Application Support/micro-workbench/runs.sqlite',
    );
  });

  it('Windows: %APPDATA%', () => {
    expect(defaultStorePath({ platform: 'win32', home: 'C:\\Users\\u', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' } })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\micro-workbench\\runs.sqlite',
    );
    expect(appDataDir({ platform: 'win32', home: 'C:\\Users\\u', env: {} })).toBe('C:\\Users\\u\\AppData\\Roaming\\micro-workbench');
  });

  it('$MICRO_STORE overrides the default; an explicit path overrides both', () => {
    const env = { MICRO_STORE: '/tmp/elsewhere/x.sqlite', XDG_DATA_HOME: '/xdg' };
    expect(defaultStorePath({ platform: 'linux', home: '/h', env })).toBe('/tmp/elsewhere/x.sqlite');
    expect(resolveStorePath('/explicit/runs.sqlite', { platform: 'linux', home: '/h', env })).toBe('/explicit/runs.sqlite');
    expect(resolveStorePath(undefined, { platform: 'linux', home: '/h', env })).toBe('/tmp/elsewhere/x.sqlite');
    expect(resolveStorePath('rel/r.sqlite', { env: {} })).toBe(path.resolve('rel/r.sqlite'));
  });
});

describe('RunStore.open() without a path', () => {
  const saved = process.env.MICRO_STORE;
  afterEach(() => {
    if (saved === undefined) delete process.env.MICRO_STORE;
    else process.env.MICRO_STORE = saved;
  });

  it('uses $MICRO_STORE and creates the parent folders', () => {
    const file = path.join(tmpDir(), 'a', 'b', 'runs.sqlite');
    process.env.MICRO_STORE = file;
    const s = RunStore.open();
    expect(s.path).toBe(file);
    expect(fs.existsSync(file)).toBe(true);
    s.close();
  });
});
