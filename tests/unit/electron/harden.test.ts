import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Session, WebContents } from 'electron';
import { hardenSession, hardenWebContents } from '../../../src/main/electron/harden';
import { appEntry } from '../../../src/main/electron/trust';

const indexHtml = path.resolve('/opt/micro/out/renderer/index.html');
const own = pathToFileURL(indexHtml).href;
const entry = appEntry({ indexHtml, packaged: true });
const dropped = pathToFileURL('/home/user/Downloads/evil.html').href;

/** A stand-in for Electron's WebContents: an emitter plus the window-open handler slot. */
class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.openHandler = h;
  }
  /** Emits `event` the way Electron does and says whether a listener vetoed it. */
  veto(event: string, url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

function harden(): { contents: FakeContents; opened: string[] } {
  const contents = new FakeContents();
  const opened: string[] = [];
  hardenWebContents(contents as unknown as WebContents, entry, (url) => opened.push(url));
  return { contents, opened };
}

describe('hardenWebContents', () => {
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s: only the own entry goes through', (event) => {
    const { contents } = harden();
    expect(contents.veto(event, `${own}#/runs`)).toBe(false);
    for (const url of [dropped, `${own}?x=1`, 'https://evil.example/', 'data:text/html,x', 'javascript:alert(1)']) {
      expect(contents.veto(event, url), url).toBe(true);
    }
  });

  it('refuses every <webview>', () => {
    const { contents } = harden();
    expect(contents.veto('will-attach-webview', own)).toBe(true);
  });

  it('denies new windows; only http(s) links go to the system browser', () => {
    const { contents, opened } = harden();
    for (const url of ['https://arxiv.org/abs/2111.04235', 'http://example.org/', dropped, 'javascript:alert(1)', own]) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://arxiv.org/abs/2111.04235', 'http://example.org/']);
  });
});

describe('hardenSession', () => {
  it('denies permission requests and permission checks', () => {
    let request: ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, perm: string) => boolean) | null = null;
    const ses = {
      setPermissionRequestHandler: (h: typeof request) => (request = h),
      setPermissionCheckHandler: (h: typeof check) => (check = h),
    };
    hardenSession(ses as unknown as Session);
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem']) {
      const answers: boolean[] = [];
      request!(null, perm, (ok) => answers.push(ok));
      expect(answers, perm).toEqual([false]);
      expect(check!(null, perm), perm).toBe(false);
    }
  });
});
