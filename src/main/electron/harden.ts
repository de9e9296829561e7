// Guards installed on every web contents and on the session: navigation and redirects only to the
// app's own entry, no new windows (http(s) links go to the system browser), no <webview>, and
// every permission request and permission check denied. Kept free of runtime Electron imports so
// it can be unit-tested with fakes.
import type { Session, WebContents } from 'electron';
import { isAppEntryUrl, type AppEntry } from './trust';

type Vetoable = { readonly url: string; preventDefault(): void };

export function hardenWebContents(contents: WebContents, entry: AppEntry, openExternal: (url: string) => unknown): void {
  const onlyEntry = (e: Vetoable): void => {
    if (!isAppEntryUrl(e.url, entry)) e.preventDefault();
  };
  // will-navigate: main-frame navigations (links, location=, dropped files); will-frame-navigate:
  // the same for any frame; will-redirect: a server redirect after navigation started.
  contents.on('will-navigate', onlyEntry);
  contents.on('will-frame-navigate', onlyEntry);
  contents.on('will-redirect', onlyEntry);
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}
