// What counts as "the app itself": the one renderer entry (the packaged index.html file, or the
// dev server's page in development) and nothing else. The same predicate gates navigation,
// redirects and IPC senders, so a dropped file, another local file, a redirect or a frame never
// ends up next to the preload bridge or talking to the main process.
import { pathToFileURL } from 'node:url';

/** The renderer entry, parsed once. Only the hash (the renderer's router, "#/runs?run=3") may vary. */
export interface AppEntry {
  readonly url: URL;
}

export interface AppEntryOptions {
  /** Absolute path of the built renderer index.html. */
  readonly indexHtml: string;
  /** ELECTRON_RENDERER_URL (electron-vite dev server). */
  readonly devUrl?: string | undefined;
  /** app.isPackaged: a packaged app never loads a URL taken from the environment. */
  readonly packaged: boolean;
}

export function appEntry(opts: AppEntryOptions): AppEntry {
  if (opts.devUrl && !opts.packaged) {
    const url = new URL(opts.devUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`ELECTRON_RENDERER_URL: expected an http(s) URL, got "${opts.devUrl}"`);
    }
    return { url };
  }
  return { url: pathToFileURL(opts.indexHtml) };
}

/** The URL that BrowserWindow should load for this entry. */
export function entryHref(entry: AppEntry): string {
  return entry.url.href;
}

function decodedPath(pathname: string): string | null {
  try {
    // Percent-encoding may differ between Node's pathToFileURL and Chromium; the decoded path is
    // the file that loads. Windows drive letters are case-insensitive ("/c:/" vs "/C:/").
    return decodeURIComponent(pathname).replace(/^\/([a-z]):/, (_m, d: string) => `/${d.toUpperCase()}:`);
  } catch {
    return null; // malformed escapes: never ours
  }
}

/** The query as written, or null: URL.search is "" both for no query and for a bare "?". */
function rawQuery(u: URL): string | null {
  const beforeHash = u.href.split('#')[0];
  const i = beforeHash.indexOf('?');
  return i < 0 ? null : beforeHash.slice(i);
}

/**
 * True only for the app's own entry: same scheme, host, port, credentials, path and query as the
 * entry (any fragment). Other files, other paths or origins of the dev server, query tricks,
 * data:, javascript:, blob: and unparsable strings are refused.
 */
export function isAppEntryUrl(candidate: string, entry: AppEntry): boolean {
  let u: URL;
  try {
    u = new URL(candidate);
  } catch {
    return false;
  }
  const e = entry.url;
  if (u.protocol !== e.protocol || u.host !== e.host) return false;
  if (u.username !== e.username || u.password !== e.password) return false;
  if (rawQuery(u) !== rawQuery(e)) return false;
  const p = decodedPath(u.pathname);
  return p !== null && p === decodedPath(e.pathname);
}

/** The parts of Electron's WebFrameMain that the IPC check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * IPC gate: the sending frame must still exist, be the top-level frame, and show the app's own
 * entry. A frame disposed mid-call throws on access; that is a refusal too.
 */
export function isTrustedIpcSender(frame: FrameLike | null | undefined, entry: AppEntry): boolean {
  if (!frame) return false;
  try {
    return frame.parent === null && isAppEntryUrl(frame.url, entry);
  } catch {
    return false;
  }
}
