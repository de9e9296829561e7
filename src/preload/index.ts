// Preload (sandboxed, context-isolated): exposes the typed workbench API as window.microApi and
// nothing else: one call channel and one event channel.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/channels';
import type { ApiEvent, PreloadBridge } from '../shared/api';

const bridge: PreloadBridge = {
  call: (method, input) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input),
  onEvent(listener) {
    const wrapped = (_e: IpcRendererEvent, ev: ApiEvent) => listener(ev);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('microApi', bridge);
