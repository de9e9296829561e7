// Whether the renderer reaches the workbench. In browser mode the server can stop under an open
// page: api.ts reports what its calls and the event stream see, the banner and the forms read
// `connection`, and the stores register what to reload once the server is back (events sent
// while it was away are lost). Electron's IPC has no such state: it stays online.
import { reactive } from 'vue';

export const connection = reactive({
  online: true,
  /** The server answered but refused our cookie: it restarted with another access token. */
  signedOut: false,
  /** What failed last (one line), for the banner's tooltip. */
  reason: '',
  /** When the next reconnect attempt is due (ms since the epoch); null while none is planned. */
  retryAt: null as number | null,
  /** Reconnect attempts since the link was lost. */
  attempts: 0,
});

/** Why a form's submit button is disabled now, or '' (shown beside or on the button). */
export function offlineReason(): string {
  if (connection.online) return '';
  return connection.signedOut ? 'Signed out of the server (see above).' : 'Not connected to the server.';
}

const reconnectListeners = new Set<() => void>();

/** Call `fn` each time the link comes back after a loss; returns an unsubscribe function. */
export function onReconnect(fn: () => void): () => void {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

export function markOffline(reason: string, signedOut = false): void {
  connection.reason = reason;
  connection.signedOut = signedOut;
  connection.online = false;
}

export function markOnline(): void {
  const was = connection.online;
  Object.assign(connection, { online: true, signedOut: false, reason: '', retryAt: null, attempts: 0 });
  if (was) return;
  for (const fn of reconnectListeners) {
    try {
      fn();
    } catch {
      /* one failing refresh must not stop the others */
    }
  }
}
