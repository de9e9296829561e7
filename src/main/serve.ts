// `npm run serve`: browser mode (src/main/serve/). Prints the URL to open, with the per-launch
// access token; MICRO_SERVE_TOKEN fixes the token instead (scripts, tests).
//   node --import tsx src/main/serve.ts [--port N] [--store path] [--renderer dir]
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveStorePath } from './store';
import { startServer } from './serve/server';

export { startServer, DEFAULT_RENDERER_DIR, type RunningServer, type ServerOptions } from './serve/server';
export { CSP } from './serve/http';

function parseArgs(argv: string[]): { port: number; store?: string; renderer?: string } {
  const o: { port: number; store?: string; renderer?: string } = { port: 4318 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      o.port = Number(val());
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error(`--port: expected an integer 0-65535`);
    } else if (a === '--store') o.store = val();
    else if (a === '--renderer') o.renderer = val();
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run serve -- [--port N] [--store path] [--renderer dir]   (MICRO_SERVE_TOKEN=… fixes the access token)\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const envToken = process.env.MICRO_SERVE_TOKEN;
    const srv = await startServer({
      port: args.port,
      storePath: resolveStorePath(args.store),
      rendererDir: args.renderer,
      token: envToken === undefined || envToken === '' ? undefined : envToken,
    }).catch((e: Error) => {
      throw new Error(e.message.replace(/^token:/, 'MICRO_SERVE_TOKEN:'));
    });
    process.stdout.write(`MICRO Workbench (browser mode) listening on ${srv.loginUrl}  store ${srv.service.store.path}\n`);
    // Trainings get a few seconds to stop within their batch; nothing (a worker stuck in a system
    // call, say) may keep the process alive past the deadline, and a second signal exits at once.
    let stopping = false;
    const stop = () => {
      if (stopping) {
        process.stderr.write('serve: stopped at once (second signal)\n');
        process.exit(130);
      }
      stopping = true;
      setTimeout(() => {
        process.stderr.write('serve: shutdown took too long; exiting\n');
        process.exit(1);
      }, 12_000).unref();
      srv.close({ waitMs: 8_000 }).then(
        () => process.exit(0),
        (e: Error) => {
          process.stderr.write(`serve: error while shutting down: ${e.message}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    process.stderr.write(`serve: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
