// Development/test entry of the dataset task worker (see ../runs/worker.dev.mjs for why).
import { register } from 'tsx/esm/api';

register();
await import('./task-worker.ts');
