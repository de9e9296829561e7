// IPC channel names shared by main and preload (kept apart from api.ts so the preload bundle stays tiny).
export const IPC_CALL_CHANNEL = 'micro-api:call';
export const IPC_EVENT_CHANNEL = 'micro-api:event';
