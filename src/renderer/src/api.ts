// The renderer's API client: the preload bridge (Electron) when present, else HTTP + SSE
// (browser mode). Both speak the shared contract; errors arrive as { code, message }.
import { API_METHODS, type ApiErrorCode, type ApiEvent, type ApiMethodName, type ApiResult, type MicroApi } from '../../shared/api';

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
    throw new ApiCallError('NETWORK', `cannot reach the workbench server (${(e as Error).message})`);
  }
  try {
    return (await res.json()) as ApiResult<unknown>;
  } catch {
    throw new ApiCallError('NETWORK', `the server answered ${res.status} without a result`);
  }
}

async function call(method: ApiMethodName, input: unknown): Promise<unknown> {
  const r = window.microApi ? await window.microApi.call(method, input as never) : await httpCall(method, input);
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
  if (source) return;
  source = new EventSource('/api/events');
  source.onmessage = (m) => {
    try {
      dispatch(JSON.parse(m.data as string) as ApiEvent);
    } catch {
      /* ignore malformed */
    }
  };
}

/** Subscribe to progress / run / dataset events; returns an unsubscribe function. */
export function onApiEvent(listener: (e: ApiEvent) => void): () => void {
  listeners.add(listener);
  connect();
  return () => listeners.delete(listener);
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
