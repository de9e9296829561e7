// `micro` — the command-line face of the engine, the run store and the workbench API.
// Exit codes: 0 success; 1 failure; 2 usage error; 3 bad input data; 4 run store refused to
// open; 130 cancelled (Ctrl-C). With --json, errors are {"ok":false,"error":{code,message}} on stdout.
import { CommanderError } from 'commander';
import { buildProgram } from './program';
import { EXIT, toCliError } from './errors';
import { writeError } from './output';

export { buildProgram } from './program';
export { EXIT } from './errors';

/** --json is known before parsing succeeds, so even usage errors can answer in JSON. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return EXIT.ok; // --help, --version
    const err = toCliError(e);
    writeError({ json: wantsJson(argv) }, err);
    if (process.env.MICRO_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return err.exitCode;
  }
}
