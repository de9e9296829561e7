// The command tree of `micro` (alias `micro-workbench`): global options, then each command group.
// Commander never prints or exits on its own: errors are thrown, tagged with the command they came
// from, and index.ts prints one line plus a `see: micro <cmd> --help` hint.
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_CHOICES } from '../../shared/api';
import { APP_VERSION } from '../version';
import type { GlobalOpts } from './context';
import { COMMAND_PATH } from './errors';
import { registerDatasets } from './commands/datasets';
import { registerDemo } from './commands/demo';
import { registerDoctor } from './commands/doctor';
import { registerExplore } from './commands/items';
import { registerModels } from './commands/models';
import { registerRuns } from './commands/runs';
import { registerStudy } from './commands/study';
import { registerTrain } from './commands/train';

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command throws its own parse errors, tagged with its path; help text goes nowhere on error. */
function tagErrors(cmd: Command): void {
  cmd.exitOverride((err: CommanderError) => {
    (err as CommanderError & { [COMMAND_PATH]?: { path: string; commands: string[] } })[COMMAND_PATH] = { path: commandPath(cmd), commands: cmd.commands.map((c) => c.name()) };
    throw err;
  });
  for (const sub of cmd.commands) tagErrors(sub);
}

export function buildProgram(): Command {
  const program = new Command('micro')
    .description('MICRO Workbench: train and inspect MICRO multimedia recommenders')
    .version(APP_VERSION)
    .option('--store <path>', 'run store file (default: $MICRO_STORE or the app-data folder)')
    .option('--json', 'machine-readable JSON output (errors too: {"ok":false,"error":{"code","message"}})')
    .option('-q, --quiet', 'no progress output')
    .addOption(new Option('--backend <name>', 'TF.js backend').choices([...BACKEND_CHOICES]).default('auto'))
    // Inherited by every subcommand: errors are reported by index.ts, not by commander.
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .showHelpAfterError(false);
  const g = () => program.opts<GlobalOpts>();
  registerDemo(program, g);
  registerDatasets(program, g);
  registerTrain(program, g);
  registerModels(program, g);
  registerRuns(program, g);
  registerDoctor(program, g);
  registerExplore(program, g);
  registerStudy(program, g);
  tagErrors(program);
  return program;
}
