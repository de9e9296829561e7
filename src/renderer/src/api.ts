// The renderer's API client: the preload bridge (Electron) when present, else HTTP + SSE
// (browser mode). Both speak the shared contract; errors arrive as { code, message }. In browser
// mode it also watches the link to the server (stores/connection.ts): a failed call or a dropped
// event stream marks it offline, and it reconnects with backoff until the server answers again.
import { API_METHODS, type ApiErrorCode, type ApiEvent, type ApiMethodName, type ApiResult, type MicroApi } from '../../shared/api';
import { connection, markOffline, markOnline } from './stores/connection';

export class ApiCallError extends Error {
  constructor(
    readonly code: ApiErrorCode | 'NETWORK',
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export const transport: 'electron' | 'browser' = typeof window !== 'undefined' && window.microApi ? 'electron' : 'browser';

async function httpCall(method: ApiMethodName, input: unknown): Promise<ApiResult<unknown>> {
  let res: Response;
  try {
    res = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
  } catch (e) {
    const message = `cannot reach the workbench server (${(e as Error).message})`;
    lost(message);
    throw new ApiCallError('NETWORK', message);
  }
  try {
    return (await res.json()) as ApiResult<unknown>;
  } catch {
    throw new ApiCallError('NETWORK', `the server answered ${res.status} without a result`);
  }
}

async function call(method: ApiMethodName, input: unknown): Promise<unknown> {
  const r = window.microApi ? await window.microApi.call(method, input as never) : await httpCall(method, input);
  // Our cookie is refused: the server restarted with a new token.
  if (!r.ok && r.error.code === 'UNAUTHORIZED' && !window.microApi) lost(r.error.message, true);
  if (!r.ok) throw new ApiCallError(r.error.code, r.error.message);
  return r.value;
}

export const api: MicroApi = Object.fromEntries(API_METHODS.map((m) => [m, (input?: unknown) => call(m, input)])) as unknown as MicroApi;

// ---------------------------------------------------------------- events

const listeners = new Set<(e: ApiEvent) => void>();
let source: EventSource | null = null;
let bridgeOff: (() => void) | null = null;

function dispatch(e: ApiEvent): void {
  for (const l of listeners) l(e);
}

function connect(): void {
  if (window.microApi) {
    bridgeOff ??= window.microApi.onEvent(dispatch);
    return;
  }
  if (source || retryTimer) return;
  source = new EventSource('/api/events');
  source.onopen = () => markOnline();
  source.onmessage = (m) => {
    try {
      dispatch(JSON.parse(m.data as string) as ApiEvent);
    } catch {
      /* ignore malformed */
    }
  };
  // EventSource would retry on its own, blind to why it failed; we probe and reopen it instead.
  source.onerror = () => lost('the event stream from the server closed');
}

// ---------------------------------------------------------------- reconnect (browser mode)

let retryTimer: ReturnType<typeof setTimeout> | null = null;
const MAX_DELAY_MS = 8000;

/** The link is gone: close the stream and plan a probe (1 s, 2 s, 4 s, then every 8 s). */
function lost(reason: string, signedOut = false): void {
  source?.close();
  source = null;
  markOffline(reason, signedOut);
  if (retryTimer) return;
  const delay = Math.min(1000 * 2 ** connection.attempts, MAX_DELAY_MS);
  connection.retryAt = Date.now() + delay;
  retryTimer = setTimeout(() => void probe(), delay);
}

/** One reconnect attempt: a cheap call first (it tells a refused cookie from no server), then the stream. */
async function probe(): Promise<void> {
  retryTimer = null;
  connection.retryAt = null;
  connection.attempts++;
  let res: Response;
  try {
    res = await fetch('/api/appInfo', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '' });
  } catch (e) {
    return lost(`cannot reach the workbench server (${(e as Error).message})`);
  }
  if (res.status === 401) return lost('the server refused this page\'s sign-in (it restarted with a new access token)', true);
  // Online once the stream is open again (its onopen), so no event is missed after the refresh.
  connect();
}

/** Try now instead of waiting for the next planned attempt. */
export function reconnectNow(): void {
  if (window.microApi || connection.online) return;
  if (retryTimer) clearTimeout(retryTimer);
  void probe();
}

/** Subscribe to progress / run / dataset events; returns an unsubscribe function. */
export function onApiEvent(listener: (e: ApiEvent) => void): () => void {
  listeners.add(listener);
  connect();
  return () => listeners.delete(listener);
}

/** The server was out of reach (the banner says so; a view keeps what it last loaded). */
export function isNetworkError(e: unknown): boolean {
  return e instanceof ApiCallError && e.code === 'NETWORK';
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
