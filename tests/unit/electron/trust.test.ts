import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { appEntry, entryHref, isAppEntryUrl, isTrustedIpcSender, type FrameLike } from '../../../src/main/electron/trust';

const indexHtml = path.resolve('/opt/micro/resources/app.asar/out/renderer/index.html');
const own = pathToFileURL(indexHtml).href;
const prod = appEntry({ indexHtml, packaged: true });
const devUrl = 'http://localhost:5173';
const dev = appEntry({ indexHtml, devUrl, packaged: false });

// HEAD's will-navigate predicate (src/main/index.ts): allowed every file:// URL and the dev URL.
const headAllowed = (url: string, rendererUrl?: string): boolean => url.startsWith('file://') || url === rendererUrl;

describe('app entry URL allow-list (packaged: the renderer index.html file)', () => {
  it('allows the own entry, with or without a router fragment', () => {
    expect(entryHref(prod)).toBe(own);
    expect(isAppEntryUrl(own, prod)).toBe(true);
    expect(isAppEntryUrl(`${own}#/explorer?run=3&item=10`, prod)).toBe(true);
  });

  it('refuses a dropped HTML file that HEAD let take over the window', () => {
    const attack = pathToFileURL('/home/user/Downloads/evil.html').href;
    expect(headAllowed(attack)).toBe(true); // the hole at HEAD
    expect(isAppEntryUrl(attack, prod)).toBe(false);
  });

  it.each([
    ['another file next to the entry', pathToFileURL(path.resolve(indexHtml, '../other.html')).href],
    ['a file in a parent folder', pathToFileURL(path.resolve(indexHtml, '../../index.html')).href],
    ['the entry path with a query', `${own}?x=1`],
    ['the entry path with an empty query', `${own}?`],
    ['the entry path with a query that looks like a path', `${own}?/../../../tmp/evil.html`],
    ['the entry name as a prefix', `${own}.evil.html`],
    ['an encoded "?" glued to the path', `${own}%3Fx=1`],
    ['a file URL on another host (UNC share)', own.replace('file://', 'file://evil.example')],
    ['a malformed escape', `${own.slice(0, -'index.html'.length)}%E0%A4%A.html`],
    ['http', 'http://evil.example/index.html'],
    ['https', 'https://evil.example/'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['javascript:', 'javascript:alert(1)'],
    ['blob:', 'blob:file:///0b1e6a7e-0000-4000-8000-000000000000'],
    ['about:blank', 'about:blank'],
    ['not a URL', 'index.html'],
    ['the dev server URL (ignored in a packaged app)', devUrl],
  ])('refuses %s', (_what, url) => {
    expect(isAppEntryUrl(url, prod)).toBe(false);
  });

  it('HEAD allowed every one of the file:// tricks above', () => {
    for (const url of [`${own}?x=1`, `${own}.evil.html`, pathToFileURL('/tmp/x.html').href]) expect(headAllowed(url)).toBe(true);
  });

  it('treats the same file spelled with other escapes as the entry (it loads the same file)', () => {
    expect(isAppEntryUrl(own.replace('index.html', '%69ndex.html'), prod)).toBe(true);
  });

  it('a packaged app ignores ELECTRON_RENDERER_URL', () => {
    const packaged = appEntry({ indexHtml, devUrl: 'https://evil.example/', packaged: true });
    expect(entryHref(packaged)).toBe(own);
    expect(isAppEntryUrl('https://evil.example/', packaged)).toBe(false);
  });
});

describe('app entry URL allow-list (development: the electron-vite dev server)', () => {
  it('allows the dev page itself, with or without a fragment', () => {
    expect(isAppEntryUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppEntryUrl('http://localhost:5173/#/runs', dev)).toBe(true);
  });

  it.each([
    ['another path on the dev server', 'http://localhost:5173/@fs/etc/passwd'],
    ['the dev page with a query', 'http://localhost:5173/?x=1'],
    ['another port', 'http://localhost:5174/'],
    ['another host', 'http://127.0.0.1:5173/'],
    ['https on the same host', 'https://localhost:5173/'],
    ['credentials in the URL', 'http://user:pw@localhost:5173/'],
    ['a lookalike host', 'http://localhost:5173.evil.example/'],
    ['a local file', pathToFileURL('/tmp/evil.html').href],
    ['the built entry file', own],
  ])('refuses %s', (_what, url) => {
    expect(isAppEntryUrl(url, dev)).toBe(false);
  });

  it('HEAD allowed any file:// URL in development too', () => {
    expect(headAllowed(pathToFileURL('/tmp/evil.html').href, devUrl)).toBe(true);
  });

  it('rejects a non-http(s) ELECTRON_RENDERER_URL with one clear line', () => {
    expect(() => appEntry({ indexHtml, devUrl: 'file:///tmp/evil.html', packaged: false })).toThrow(
      'ELECTRON_RENDERER_URL: expected an http(s) URL, got "file:///tmp/evil.html"',
    );
  });
});

describe('IPC sender check (event.senderFrame)', () => {
  const top = (url: string): FrameLike => ({ url, parent: null });

  it('accepts the top frame showing the own entry', () => {
    expect(isTrustedIpcSender(top(`${own}#/train`), prod)).toBe(true);
  });

  it('refuses a frame HEAD would have served: the window webContents, but another page or a subframe', () => {
    // HEAD compared event.sender with the window's webContents only, which is true for all of these.
    const dropped = top(pathToFileURL('/home/user/Downloads/evil.html').href);
    expect(isTrustedIpcSender(dropped, prod)).toBe(false);
    const sub: FrameLike = { url: own, parent: top(own) };
    expect(isTrustedIpcSender(sub, prod)).toBe(false);
    expect(isTrustedIpcSender(top('https://evil.example/'), prod)).toBe(false);
  });

  it('refuses a missing frame (navigated away or destroyed)', () => {
    expect(isTrustedIpcSender(null, prod)).toBe(false);
    expect(isTrustedIpcSender(undefined, prod)).toBe(false);
  });

  it('refuses a frame that throws on access (disposed WebFrameMain)', () => {
    const disposed = {
      parent: null,
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(isTrustedIpcSender(disposed, prod)).toBe(false);
  });

  it('uses the dev entry in development', () => {
    expect(isTrustedIpcSender(top('http://localhost:5173/#/users'), dev)).toBe(true);
    expect(isTrustedIpcSender(top(own), dev)).toBe(false);
  });
});
