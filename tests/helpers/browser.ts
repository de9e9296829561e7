// The browser-mode harness of the e2e suites: the server on a free port with a temporary store, the
// built renderer in Debian's chromium (playwright-core), signed in with the printed token. Each
// e2e file starts its own (suites run in parallel forks, each with its own store).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO = path.join(ROOT, 'resources', 'demo');
export const SHOTS = path.join(ROOT, 'tests', 'artifacts', 'screenshots');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const UPDATE_DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1';
const RENDERER = path.join(ROOT, 'out', 'renderer', 'index.html');

export const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`e2e skipped: ${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`);

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Build the renderer when its output is missing or older than its sources. */
export function ensureRendererBuilt(): void {
  const src = Math.max(newestMtime(path.join(ROOT, 'src', 'renderer')), newestMtime(path.join(ROOT, 'src', 'shared')));
  if (fs.existsSync(RENDERER) && fs.statSync(RENDERER).mtimeMs >= src) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
}

export interface BrowserSession {
  /** Temporary folder holding the store (`runs.sqlite`); removed by close(). */
  dir: string;
  storePath: string;
  url: string;
  token: string;
  browser: Browser;
  page: Page;
  server: ChildProcess;
  /** Server output, page errors and console errors. */
  logs: string[];
  /** One API call over HTTP with the session's token; throws with the API's message when refused. */
  call(method: string, body: unknown): Promise<Record<string, unknown>>;
  /** Open a view by its hash (`#/runs`). */
  view(hash: string): Promise<void>;
  /** Screenshot into tests/artifacts/screenshots (and docs/screenshots with UPDATE_DOCS_SCREENSHOTS=1 when `docs`). */
  shot(name: string, docs?: boolean, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Start the server on a fresh store, open chromium at 1280×800 and sign in as a user does. */
export async function openBrowserSession(opts: { viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  fs.mkdirSync(SHOTS, { recursive: true });
  if (UPDATE_DOCS) fs.mkdirSync(DOCS_SHOTS, { recursive: true });
  ensureRendererBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-e2e-'));
  const storePath = path.join(dir, 'runs.sqlite');
  const logs: string[] = [];
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', '--port', '0', '--store', storePath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // The server prints the URL to open, with its per-launch access token.
  const [url, token] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${logs.join('')}`)), 60_000);
    server.stdout!.on('data', (d: Buffer) => {
      logs.push(d.toString());
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]{43})\s/.exec(logs.join(''));
      if (m) {
        clearTimeout(timer);
        resolve([m[1], m[2]]);
      }
    });
    server.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${logs.join('')}`)));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') logs.push(`console: ${m.text()}\n`);
  });
  // Sign in as a user does: open the printed URL; the server sets the cookie and redirects to /.
  const signIn = await page.goto(`${url}/?token=${token}`);
  expect(signIn?.url()).toBe(`${url}/`);
  expect((await signIn!.request().redirectedFrom()?.response())?.status()).toBe(303);
  expect(await page.context().cookies(url)).toMatchObject([{ value: token, httpOnly: true, sameSite: 'Strict' }]);
  return {
    dir,
    storePath,
    url,
    token,
    browser,
    page,
    server,
    logs,
    async call(method, body) {
      const r = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const j = (await r.json()) as { ok: boolean; value: unknown; error?: { message: string } };
      if (!j.ok) throw new Error(`${method}: ${j.error?.message}`);
      return j.value as Record<string, unknown>;
    },
    async view(hash) {
      await page.goto(`${url}/${hash}`);
      await page.waitForLoadState('domcontentloaded');
    },
    async shot(name, docs = false, fullPage = false) {
      const file = path.join(SHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage });
      if (docs && UPDATE_DOCS) fs.copyFileSync(file, path.join(DOCS_SHOTS, `${name}.png`));
    },
    async close() {
      await browser.close();
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const errors = logs.filter((l) => l.startsWith('pageerror'));
      if (errors.length) console.warn(errors.join(''));
    },
  };
}

/** Fill the Train form's fields that are given (the view must be open) and press Start once it is enabled. */
export async function startTraining(page: Page, f: { dataset?: string; model?: string; epochs: number; evalEvery: number; name?: string }): Promise<void> {
  await page.locator('#train-epochs').waitFor();
  if (f.dataset) await page.selectOption('#train-dataset', f.dataset);
  if (f.model) await page.selectOption('#train-model', f.model);
  await page.fill('#train-epochs', String(f.epochs));
  await page.fill('#train-evalEvery', String(f.evalEvery));
  if (f.name) await page.fill('#train-name', f.name);
  const start = page.getByRole('button', { name: 'Start training' });
  await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true);
  await start.click();
}
