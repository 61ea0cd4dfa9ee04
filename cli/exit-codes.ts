/** Exit codes of the `fitlake` command: scripts may rely on them. */
export const ExitCode = {
  ok: 0,
  /** The command ran and failed (a service did not start, a run failed). */
  failed: 1,
  /** The command line or configuration is wrong. */
  usage: 2,
  /** A service the command needs is not reachable. */
  unavailable: 3,
} as const;

/** A failure whose message is meant for the operator, with the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
