/// <reference types="electron-vite/node" />
// Electron entry: one hardened window (context isolation, sandbox, no node integration, strict
// CSP; navigation, redirects, new windows, webviews and permissions refused, see ./electron), the
// workbench API over IPC for the app's own top frame only, save dialogs for exports.
// Training and dataset work run in worker threads bundled next to this file.
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import runWorkerPath from './runs/worker?modulePath';
import taskWorkerPath from './api/task-worker?modulePath';
import { resolveStorePath } from './store';
import { WorkbenchService } from './api';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type ApiResult, type ExportResult } from '../shared/api';
import { appEntry, entryHref, isAppEntryUrl, isTrustedIpcSender } from './electron/trust';
import { hardenSession, hardenWebContents } from './electron/harden';

const here = path.dirname(fileURLToPath(import.meta.url));
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The one page this app shows; a packaged app ignores ELECTRON_RENDERER_URL.
const entry = appEntry({
  indexHtml: path.join(here, '../renderer/index.html'),
  devUrl: process.env.ELECTRON_RENDERER_URL,
  packaged: app.isPackaged,
});

let service: WorkbenchService | null = null;
let win: BrowserWindow | null = null;

function storePathFromArgs(): string | undefined {
  const i = process.argv.indexOf('--store');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Electron: write exported files where the user chooses instead of sending bytes to the renderer. */
async function saveExport(result: ExportResult): Promise<ExportResult> {
  if (!win) return result;
  if (result.files.length === 1) {
    const f = result.files[0];
    const r = await dialog.showSaveDialog(win, { defaultPath: f.name, title: 'Export' });
    if (r.canceled || !r.filePath) return { files: [], cancelled: true };
    fs.writeFileSync(r.filePath, Buffer.from(f.data ?? '', 'base64'));
    return { files: [{ name: f.name, mime: f.mime, size: f.size, savedTo: r.filePath }] };
  }
  const r = await dialog.showOpenDialog(win, { title: `Choose a folder for ${result.files.length} files`, properties: ['openDirectory', 'createDirectory'] });
  if (r.canceled || !r.filePaths[0]) return { files: [], cancelled: true };
  return {
    files: result.files.map((f) => {
      const to = path.join(r.filePaths[0], f.name);
      fs.writeFileSync(to, Buffer.from(f.data ?? '', 'base64'));
      return { name: f.name, mime: f.mime, size: f.size, savedTo: to };
    }),
  };
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 700,
    title: 'MICRO Workbench',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  // Navigation guards come from 'web-contents-created' below, which also covers this window.
  void win.loadURL(entryHref(entry));
}

app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, entry, (url) => shell.openExternal(url)));

void app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  hardenSession(session.defaultSession);

  service = new WorkbenchService({
    storePath: resolveStorePath(storePathFromArgs()),
    mode: 'electron',
    host: { workerEntry: runWorkerPath, execArgv: [] },
    tasks: { workerEntry: taskWorkerPath, execArgv: [] },
  });
  service.onEvent((e) => {
    for (const w of BrowserWindow.getAllWindows()) if (isAppEntryUrl(w.webContents.getURL(), entry)) w.webContents.send(IPC_EVENT_CHANNEL, e);
  });
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method: unknown, input: unknown): Promise<ApiResult<unknown>> => {
    if (!win || event.sender !== win.webContents || !isTrustedIpcSender(event.senderFrame, entry)) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'unknown sender' } };
    }
    const r = await service!.call(String(method), input);
    if (r.ok && method === 'exportRun') return { ok: true, value: await saveExport(r.value as ExportResult) };
    return r;
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !service) return;
  e.preventDefault();
  quitting = true;
  void service.close({ waitMs: 5000 }).finally(() => app.quit());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
