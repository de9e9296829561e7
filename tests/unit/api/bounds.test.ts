// The service stays up and bounded whatever its workers do: dataset tasks have a time limit, a
// heap limit, a memory watchdog and cancel; a run whose end cannot be recorded is reported, not fatal.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WorkbenchService, type ServiceOptions } from '../../../src/main/api';
import { TaskRunner, TaskStopped } from '../../../src/main/api/tasks';
import type { ApiEvent } from '../../../src/shared/api';
import { DEMO } from '../../helpers/paths';
import { finished } from '../../helpers/service';
import { fileTempDir } from '../../helpers/temp';

const HOSTILE = new URL('./fixtures/hostile-task.mjs', import.meta.url);
const dir = fileTempDir('micro-api-bounds-');
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(() => vi.restoreAllMocks());

/** A browser-mode service on a fresh store with the demo imported as "demo" (warm), closed after fn. */
async function withDemo(store: string, fn: (service: WorkbenchService, api: ReturnType<WorkbenchService['api']>) => Promise<void>, options: Partial<ServiceOptions> = {}) {
  const service = new WorkbenchService({ storePath: path.join(dir, store), mode: 'browser', ...options });
  try {
    const api = service.api();
    await api.importDataset({ path: DEMO, name: 'demo', setting: 'warm' });
    await fn(service, api);
  } finally {
    await service.close();
  }
}

const importTask = (p: string) => ({ op: 'import' as const, storePath: path.join(dir, 'unused.sqlite'), path: p, layout: 'auto' as const });

async function stoppedCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TaskStopped);
    return (e as TaskStopped).code;
  }
  throw new Error('the task was expected to be stopped');
}

describe('dataset tasks are bounded', () => {
  it('a task that never answers is stopped at its time limit', async () => {
    const runner = new TaskRunner({ workerEntry: HOSTILE, limits: { timeoutMs: { default: 400 } } });
    expect(await stoppedCode(runner.run(importTask('spin')))).toBe('TIMEOUT');
    expect(runner.list()).toEqual([]);
  });

  it('a task that grows the V8 heap past its limit is stopped', async () => {
    const runner = new TaskRunner({ workerEntry: HOSTILE, limits: { heapMb: 64 } });
    expect(await stoppedCode(runner.run(importTask('heap')))).toBe('MEMORY');
  });

  it('a task that grows memory outside the heap (Buffers) is stopped by the watchdog', async () => {
    const runner = new TaskRunner({ workerEntry: HOSTILE, limits: { memoryMb: 300, watchMs: 20 } });
    const rss0 = process.memoryUsage.rss();
    expect(await stoppedCode(runner.run(importTask('buffers')))).toBe('MEMORY');
    // It was stopped near the bound, not gigabytes later.
    expect((process.memoryUsage.rss() - rss0) / 2 ** 20).toBeLessThan(2000);
  });

  it('a task can be cancelled by id, and one blocked in a system call answers at once', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const runner = new TaskRunner({ workerEntry: HOSTILE });
    let id = 0;
    const p = runner.run(importTask(`fifo:${fifo}`), (info) => (id = info.id));
    expect(runner.list().map((t) => t.id)).toEqual([id]);
    await new Promise((r) => setTimeout(r, 200)); // let it block in read(2)
    expect(runner.cancel(id)).toBe(true);
    expect(await stoppedCode(p)).toBe('CANCELLED');
    expect(runner.cancel(id)).toBe(false);
    // Unblock the thread so it can exit (non-blocking: the reader may already be gone).
    try {
      const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      try {
        fs.writeSync(fd, 'x');
      } catch {
        /* reader gone */
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      /* ENXIO: no reader left */
    }
  });
});

describe('the service under hostile tasks', () => {
  it('lists and cancels a running import, answers CANCELLED, and shuts down with a stuck task', async () => {
    const service = new WorkbenchService({ storePath: path.join(dir, 'tasks.sqlite'), mode: 'browser', tasks: { workerEntry: HOSTILE } });
    const events: ApiEvent[] = [];
    service.onEvent((e) => events.push(e));
    const api = service.api();
    fs.mkdirSync(path.join(dir, 'spin'), { recursive: true });
    const pending = api.importDataset({ path: path.join(dir, 'spin') }).catch((e: Error & { code?: string }) => e);
    let tasks = await api.listTasks();
    for (let i = 0; i < 50 && tasks.length === 0; i++) tasks = (await new Promise((r) => setTimeout(r, 20)), await api.listTasks());
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ op: 'import', label: expect.stringContaining('spin') });
    expect(await api.cancelTask({ taskId: tasks[0].id })).toEqual({ cancelled: true });
    const err = (await pending) as Error & { code?: string };
    expect(err.code).toBe('CANCELLED');
    expect(await api.listTasks()).toEqual([]);
    expect(events.filter((e) => e.type === 'tasks-changed').length).toBeGreaterThanOrEqual(2);
    // A second stuck task does not hold the shutdown.
    void api.importDataset({ path: path.join(dir, 'spin') }).catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    await service.close({ waitMs: 1000 });
  });
});

describe('the end of a run', () => {
  it('a store error while recording the end of a run is reported, not fatal', async () => {
    await withDemo('end.sqlite', async (service, api) => {
      const ended = finished(service);
      const getRun = service.store.getRun.bind(service.store);
      // Fail the first read of the run once it has ended: the service's completion bookkeeping.
      let thrown = false;
      vi.spyOn(service.store, 'getRun').mockImplementation((id: number) => {
        const r = getRun(id);
        if (r?.status === 'completed' && !thrown) {
          thrown = true;
          throw new Error('injected: database is locked');
        }
        return r;
      });
      const { runId } = await api.startRun({ dataset: 'demo', model: 'popularity' });
      const ev = await ended;
      expect(ev).toMatchObject({ runId, status: 'failed', error: expect.stringContaining('injected: database is locked') });
      vi.restoreAllMocks();
      // The service still answers, and the run's own record is intact.
      expect((await api.getRun({ runId })).run.status).toBe('completed');
      expect(unhandled).toEqual([]);
    });
  });

  it('a worker that claims completion without recording it leaves a failed run with the reason', async () => {
    const host = { workerEntry: new URL('./fixtures/lying-worker.mjs', import.meta.url), execArgv: [] };
    await withDemo('liar.sqlite', async (service, api) => {
      const ended = finished(service);
      const { runId } = await api.startRun({ dataset: 'demo' });
      expect(await ended).toMatchObject({ runId, status: 'failed', error: expect.stringContaining('without recording') });
      expect((await api.getRun({ runId })).run).toMatchObject({ status: 'failed', active: false });
      expect(unhandled).toEqual([]);
    }, { host });
  });
});

describe('hostile dataset inputs through the API', () => {
  it('are refused as INVALID_INPUT with the path named, and the service keeps working', async () => {
    await withDemo('hostile.sqlite', async (_service, api) => {
      const refused = async (p: Promise<unknown>, names: string) => {
        const e = (await p.then(
          () => null,
          (x: unknown) => x,
        )) as (Error & { code?: string }) | null;
        expect(e, names).not.toBeNull();
        expect(e!.code, e!.message).toBe('INVALID_INPUT');
        expect(e!.message).toContain(names);
      };
      const fifoDs = path.join(dir, 'fifo-ds');
      fs.mkdirSync(fifoDs);
      execFileSync('mkfifo', [path.join(fifoDs, 'train.json')]);
      for (const f of ['val.json', 'test.json']) fs.writeFileSync(path.join(fifoDs, f), '{}');
      await refused(api.importDataset({ path: fifoDs }), path.join(fifoDs, 'train.json'));
      const zeroDs = path.join(dir, 'zero-ds');
      fs.mkdirSync(zeroDs);
      fs.symlinkSync('/dev/zero', path.join(zeroDs, 'train.json'));
      for (const f of ['val.json', 'test.json']) fs.writeFileSync(path.join(zeroDs, f), '{}');
      await refused(api.importDataset({ path: zeroDs }), 'train.json');
      await refused(api.splitDataset({ dataset: 'demo', mode: 'cold', out: '/proc/self/x', name: 'p' }), '/proc/self/x');
      await refused(api.splitDataset({ dataset: 'demo', mode: 'cold', out: DEMO, name: 's' }), DEMO);
      await refused(api.diagnoseDataset({ dataset: 'demo', ks: [100_000_000] }), 'ks');
      // The default split folder is created next to the store.
      const made = await api.splitDataset({ dataset: 'demo', mode: 'cold', name: 'demo-cold' });
      expect(made.sourcePaths[0]).toContain(path.join(dir, 'datasets'));
      expect((await api.listDatasets()).map((d) => d.name).sort()).toEqual(['demo', 'demo-cold']);
    });
  });
});
