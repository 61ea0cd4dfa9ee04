/**
 * How `npm start` ends: on Ctrl-C (SIGINT), a supervisor's SIGTERM, its terminal closing (SIGHUP) or
 * its output going away (EPIPE on stdout or stderr, as when `npm start | tee log` loses its tee), at any
 * moment, starting up included. Whatever it has started by then is undone in reverse order, each undo
 * waiting for the start it undoes to settle first, so nothing it started stays running.
 */

type Undo = () => Promise<unknown>;

export class StartStop {
  private readonly undos: { what: string; undo: Undo }[] = [];
  private outputGone = false;
  private requested: ((reason: string) => void) | undefined;
  /** The reason the first stop request gave (a signal's name, or `output closed`). */
  readonly reason: Promise<string>;
  /** Set once a stop was requested: the start-up path may fail from then on, and that is not an error. */
  stopping = false;

  constructor() {
    this.reason = new Promise((resolve) => (this.requested = resolve));
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => this.request(signal));
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        // Nowhere to write to any more; EPIPE (or a closed terminal's EIO) means the user is gone.
        this.outputGone = true;
        if (e.code === 'EPIPE' || e.code === 'EIO') this.request('output closed');
      });
    }
  }

  /** A line for the user, unless the output is gone (a write to a closed pipe would only fail again). */
  say(line = ''): void {
    if (!this.outputGone) process.stdout.write(`${line}\n`);
  }

  /**
   * Something started (or starting: `started` settles when it is), to be undone with `undo` on stop;
   * `undoFailed` undoes a start that failed half-way, when there can be such a thing.
   */
  track<T>(what: string, started: Promise<T>, undo: (value: T) => Promise<unknown>, undoFailed?: () => Promise<unknown>): Promise<T> {
    this.undos.push({
      what,
      undo: async () => {
        const outcome = await started.then(
          (value) => ({ ok: true as const, value }),
          () => ({ ok: false as const }),
        );
        if (outcome.ok) await undo(outcome.value);
        else await undoFailed?.();
      },
    });
    return started;
  }

  /** Undo everything tracked, newest first; one undo failing does not keep the others from running. */
  async undoAll(log: (line: string) => void): Promise<void> {
    for (const { what, undo } of this.undos.reverse()) {
      try {
        await undo();
      } catch (e) {
        log(`  could not stop ${what}: ${(e as Error).message}`);
      }
    }
    this.undos.length = 0;
  }

  private request(reason: string): void {
    this.stopping = true;
    this.requested?.(reason);
    this.requested = undefined;
  }
}
