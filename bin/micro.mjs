#!/usr/bin/env node
// Launcher for the CLI (bins `micro-workbench` and `micro`): runs the TypeScript sources through
// tsx's loader, so the same engine code serves the CLI, the tests and the Electron main process
// without a separate build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
