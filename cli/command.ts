/** What every `fitlake` command module exports: its usage text and how to run it (cli/main.ts names and lists them). */
export interface Command {
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}
