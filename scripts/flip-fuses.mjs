#!/usr/bin/env node
// Packaging step: flip the Electron fuses (src/main/electron/fuses.ts) in a packaged app's binary.
//   npm run fuses -- <path to the packaged Electron executable or .app bundle>
// Run after the app is packaged with its app.asar and before code signing.
import { register } from 'tsx/esm/api';

const target = process.argv[2];
if (!target || process.argv.length > 3) {
  console.error('usage: npm run fuses -- <path to the packaged Electron executable or .app>');
  process.exit(2);
}
register();
const { flipAppFuses } = await import('../src/main/electron/fuses.ts');
try {
  await flipAppFuses(target);
  console.log(`fuses flipped: ${target}`);
} catch (e) {
  console.error(`flip-fuses: ${target}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
