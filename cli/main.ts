/**
 * Entry of the `fitlake` command: dispatches to one module per command. Command modules are loaded
 * only when their command runs: `fitlake --help` must not pay for the Temporal worker or the API.
 */
import type { Command } from './command.ts';
import { CliError, ExitCode } from './exit-codes.ts';


/** Every command: its name and summary for the help, and how to load it. */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const commands: CommandEntry[] = [
  { name: 'services', summary: 'start, stop or show the local Temporal, Kafka and Azurite services', load: async () => (await import('./commands/services.ts')).servicesCommand },
  { name: 'run', summary: 'run the pipeline once or continuously, following its progress', load: async () => (await import('./commands/run.ts')).runCommand },
  { name: 'worker', summary: 'run a Temporal worker for the pipeline task queue', load: async () => (await import('./commands/worker.ts')).workerCommand },
  { name: 'status', summary: "recent runs and each table's version, rows and freshness", load: async () => (await import('./commands/status.ts')).statusCommand },
  { name: 'schedule', summary: 'create, list, pause or delete Temporal Schedules of pipeline and maintenance runs', load: async () => (await import('./commands/schedule.ts')).scheduleCommand },
  { name: 'reprocess', summary: "rebuild a step's table and everything downstream from its inputs", load: async () => (await import('./commands/reprocess.ts')).reprocessCommand },
  { name: 'simulate', summary: 'generate wearable data with realistic imperfections into the landing zone or Kafka', load: async () => (await import('./commands/simulate.ts')).simulateCommand },
  { name: 'produce', summary: 'replay the SBIT reference data set into the landing zone or Kafka', load: async () => (await import('./commands/produce.ts')).produceCommand },
  { name: 'serve', summary: 'serve the gold tables over GraphQL (GraphiQL at /graphql in development)', load: async () => (await import('./commands/serve.ts')).serveCommand },
  { name: 'token', summary: 'print a signed API token (analyst or user) for local use', load: async () => (await import('./commands/token.ts')).tokenCommand },
];

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
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`fitlake: unknown command '${name}'\n\n${help()}`);
    return ExitCode.usage;
  }
  let command: Command | undefined;
  try {
    command = await entry.load();
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError || (e instanceof Error && e.name === 'ConfigError')) {
      console.error(`fitlake ${name}: ${e.message}`);
      return e instanceof CliError ? e.exitCode : ExitCode.usage;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`fitlake ${name}: ${e.message}\n\n${command?.usage ?? ''}`);
      return ExitCode.usage;
    }
    console.error(`fitlake ${name}: ${(e as Error).message}`);
    return ExitCode.failed;
  }
}
