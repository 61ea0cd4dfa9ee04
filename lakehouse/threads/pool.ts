/**
 * Worker threads for the CPU-bound parts of the big steps: parsing Kafka dump lines and heart-rate
 * payloads and encoding Parquet. Node runs a step on
 * one thread; a worker per core lets a 2-core machine parse on both. The main thread keeps all I/O,
 * commits and everything that depends on order; workers get pure functions (tasks.ts) over bytes and
 * give back bytes, and results are taken in the order the work was handed out, so tables come out the
 * same as without workers, row for row. Workers start from one bundled script (worker-script.ts).
 *
 * Whoever runs steps makes a pool (createWorkerPool, from the `threads` setting; 0: none, the steps then
 * do the same work in-thread) and hands it to them in StepContext.threads; by default one worker per
 * core, at most 2, and none on a single core. Idle workers do not keep the process alive. A worker that dies fails the tasks it had; the next task starts a new one.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TaskInput, TaskName, TaskOutput } from './tasks.ts';
import { workerScript } from './worker-script.ts';

interface Slot {
  worker: Worker;
  /** Tasks sent and not yet answered. */
  busy: number;
}

interface Pending {
  slot: Slot;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

type Reply = { id: number; output: unknown } | { id: number; error: { name: string; message: string; stack?: string } };

export class WorkerPool {
  private readonly slots: (Slot | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(readonly size: number) {
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  /** Run a task on the least busy worker; `transfer` lists buffers of the input handed over, not copied. */
  run<N extends TaskName>(name: N, input: TaskInput<N>, transfer: readonly ArrayBuffer[] = []): Promise<TaskOutput<N>> {
    let chosen = 0;
    for (let i = 1; i < this.slots.length; i++) if ((this.slots[i]?.busy ?? 0) < (this.slots[chosen]?.busy ?? 0)) chosen = i;
    const slot = (this.slots[chosen] ??= this.start(chosen));
    const id = this.nextId++;
    return new Promise<TaskOutput<N>>((resolve, reject) => {
      this.pending.set(id, { slot, resolve: resolve as (output: unknown) => void, reject });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage({ id, name, input }, [...transfer]);
    });
  }

  /**
   * Starts every worker that is not running, without waiting for them: a process that will run steps
   * (a pipeline worker) lets them load their script while it connects to Temporal, instead of its first
   * big step waiting for them. They stay idle (and do not keep the process alive) until tasks come.
   */
  startAll(): void {
    for (let i = 0; i < this.slots.length; i++) this.slots[i] ??= this.start(i);
  }

  /** Ends every worker; tasks still out fail. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0, this.slots.length, ...new Array<Slot | undefined>(this.size).fill(undefined));
    await Promise.all(slots.map((slot) => slot?.worker.terminate()));
  }

  private start(index: number): Slot {
    const worker = new Worker(workerScript(), { name: `fitlake-${index}` });
    const slot: Slot = { worker, busy: 0 };
    worker.on('message', (reply: Reply) => {
      const task = this.pending.get(reply.id);
      if (!task) return;
      this.pending.delete(reply.id);
      if (--slot.busy === 0) worker.unref();
      if ('error' in reply) task.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }));
      else task.resolve(reply.output);
    });
    const fail = (error: Error) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const [id, task] of this.pending) {
        if (task.slot !== slot) continue;
        this.pending.delete(id);
        task.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker thread ${index} exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again, and a worker started but
    // never given a task (startAll) then kept its process from ever exiting.
    worker.unref();
    return slot;
  }
}

/** The default size: one worker per core, at most 2, and none on a single core. */
const defaultSize = () => (availableParallelism() > 1 ? Math.min(2, availableParallelism()) : 0);

/**
 * A pool of `threads` worker threads (0: none, undefined: the default size), or undefined for none. The
 * process that runs steps makes one (the worker from the `threads` setting, tests and benchmarks as they
 * need) and hands it to the steps in their context; it closes the pool when it is done with it.
 */
export function createWorkerPool(threads?: number): WorkerPool | undefined {
  const size = threads ?? defaultSize();
  return size > 0 ? new WorkerPool(size) : undefined;
}
