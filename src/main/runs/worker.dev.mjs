// Development/test entry of the training worker: Node 20 ignores `--import tsx` in a worker's
// execArgv, so register tsx inside this thread, then load the TypeScript worker. The Electron
// build passes its bundled worker instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
