import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { FUSE_CONFIG, flipAppFuses } from '../../../src/main/electron/fuses';

const root = path.resolve(import.meta.dirname, '../../..');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses' marker before the fuse wire
const ON = 0x31; // fuse states are the characters '1' and '0'
const OFF = 0x30;
// Electron's own defaults, in wire order (RunAsNode … GrantFileProtocolExtraPrivileges).
const DEFAULTS = [ON, OFF, ON, ON, OFF, OFF, OFF, ON];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A stand-in Electron executable: bytes around a version-1 fuse wire with Electron's defaults. */
function fakeElectron(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-fuses-'));
  dirs.push(dir);
  const file = path.join(dir, 'micro-workbench');
  const wire = Buffer.from([...Buffer.from(SENTINEL), 1, DEFAULTS.length, ...DEFAULTS]);
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(4096, 0xcc), wire, Buffer.alloc(4096, 0xcc)]));
  return file;
}

async function wire(file: string): Promise<Record<string, unknown>> {
  const w = (await getCurrentFuseWire(file)) as unknown as Record<number, number>;
  return Object.fromEntries(DEFAULTS.map((_d, i) => [FuseV1Options[i], w[i]]));
}

const HARDENED = {
  RunAsNode: OFF,
  EnableCookieEncryption: ON,
  EnableNodeOptionsEnvironmentVariable: OFF,
  EnableNodeCliInspectArguments: OFF,
  EnableEmbeddedAsarIntegrityValidation: ON,
  OnlyLoadAppFromAsar: ON,
  // not ours to change: left as Electron ships them
  LoadBrowserProcessSpecificV8Snapshot: OFF,
  GrantFileProtocolExtraPrivileges: ON,
};

describe('Electron fuses', () => {
  it('the config turns off run-as-node, NODE_OPTIONS and --inspect, and turns on cookie encryption and asar-only loading with integrity checks', () => {
    const off = [FuseV1Options.RunAsNode, FuseV1Options.EnableNodeOptionsEnvironmentVariable, FuseV1Options.EnableNodeCliInspectArguments];
    const on = [FuseV1Options.EnableCookieEncryption, FuseV1Options.EnableEmbeddedAsarIntegrityValidation, FuseV1Options.OnlyLoadAppFromAsar];
    const cfg = FUSE_CONFIG as Record<number | string, unknown>;
    expect(cfg.version).toBe(FuseVersion.V1);
    for (const f of off) expect(cfg[f], FuseV1Options[f]).toBe(false);
    for (const f of on) expect(cfg[f], FuseV1Options[f]).toBe(true);
    // Nothing else is set: every other fuse keeps Electron's default.
    expect(Object.keys(cfg).sort()).toEqual(['version', ...[...off, ...on].map(String)].sort());
  });

  it('flipAppFuses writes that config into the binary', async () => {
    const file = fakeElectron();
    expect((await wire(file)).RunAsNode).toBe(ON); // as shipped: the binary runs as plain Node
    await flipAppFuses(file, 'linux', 'x64');
    expect(await wire(file)).toEqual(HARDENED);
  });

  it('scripts/flip-fuses.mjs flips a packaged binary given on the command line', async () => {
    const file = fakeElectron();
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/flip-fuses.mjs'), file], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(await wire(file)).toEqual(HARDENED);
  });

  it('the script fails with one line for a file that is not an Electron binary, and with usage for no argument', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-fuses-'));
    dirs.push(dir);
    const notElectron = path.join(dir, 'app');
    fs.writeFileSync(notElectron, 'not an electron binary');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/flip-fuses.mjs'), notElectron], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`flip-fuses: ${notElectron}: Could not find sentinel`);
    const usage = spawnSync(process.execPath, [path.join(root, 'scripts/flip-fuses.mjs')], { cwd: root, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: npm run fuses --');
  });
});
