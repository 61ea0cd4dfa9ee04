/** Entry of the `fitlake` command: dispatches to one module per command. */
import { CliError, ExitCode } from './exit-codes.ts';
import { servicesCommand } from './commands/services.ts';
import { runCommand } from './commands/run.ts';
import { workerCommand } from './commands/worker.ts';
import { scheduleCommand } from './commands/schedule.ts';
import { statusCommand } from './commands/status.ts';
import { reprocessCommand } from './commands/reprocess.ts';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Command[] = [servicesCommand, runCommand, workerCommand, statusCommand, scheduleCommand, reprocessCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'fitlake: a lakehouse for wearable heart-rate analytics',
    '',
    'Usage: fitlake <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `fitlake <command> --help` for a command\'s options and examples.',
  ].join('\n');
}

/** Run the command line; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? ExitCode.ok : ExitCode.usage;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`fitlake: unknown command '${name}'\n\n${help()}`);
    return ExitCode.usage;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError || (e instanceof Error && e.name === 'ConfigError')) {
      console.error(`fitlake ${name}: ${e.message}`);
      return e instanceof CliError ? e.exitCode : ExitCode.usage;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`fitlake ${name}: ${e.message}\n\n${command.usage}`);
      return ExitCode.usage;
    }
    console.error(`fitlake ${name}: ${(e as Error).message}`);
    return ExitCode.failed;
  }
}
