/**
 * Whether workers already serve the pipeline task queue, so that `fitlake run` hands its run to them
 * instead of starting a worker of its own: a running `fitlake worker` has its code loaded and its JIT
 * warm, where a new one costs a start. Temporal lists a task queue's pollers for five minutes after
 * their last poll, and a live worker's poll lasts up to a minute, so a worker that stopped seconds ago
 * still looks alive. Hence: the workers `fitlake run` starts for itself poll under a name that says so
 * and never count (they end with their run); a worker named by the SDK's default `pid@host` on this
 * host counts only while that process lives; and a run handed over is watched until a worker picks its
 * first task up.
 */
import os from 'node:os';
import type { Client, WorkflowHandle } from '@temporalio/client';

/** temporal.api.enums.v1.TaskQueueType's values (fixed by the API's protobuf), not worth a dependency on the proto package. */
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** A poller seen within this long is taken for a live worker (a long poll lasts up to a minute). */
const LIVE_POLLER_MS = 70_000;

/** The identity of the worker a `fitlake run` starts for its own run (not one to hand later runs to). */
export const runWorkerIdentity = (): string => `${RUN_WORKER}${process.pid}@${os.hostname()}`;
const RUN_WORKER = 'fitlake run ';

/** True when a poller with this identity may be a worker that serves runs other than its own. */
function mayServe(identity: string): boolean {
  if (identity.startsWith(RUN_WORKER)) return false;
  const local = /^(\d+)@(.+)$/.exec(identity);
  if (local && local[2] === os.hostname()) {
    try {
      process.kill(Number(local[1]), 0); // signal 0: only asks whether the process exists
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
    }
  }
  return true;
}

/** True when pollers of both workflow and activity tasks have been seen on the task queue within LIVE_POLLER_MS. */
export async function workersServe(client: Client, taskQueue: string, now = Date.now()): Promise<boolean> {
  const types = [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY];
  const answers = await Promise.all(
    types.map((taskQueueType) => client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType })),
  );
  return answers.every((answer) =>
    (answer.pollers ?? []).some((poller) => {
      const seconds = poller.lastAccessTime?.seconds;
      return seconds !== undefined && seconds !== null && now - Number(seconds) * 1000 < LIVE_POLLER_MS && mayServe(poller.identity ?? '');
    }),
  );
}

/**
 * True once a worker has started the run's first workflow task (its history holds more than the start
 * and the scheduled task), false when none has within `withinMs`.
 */
export async function pickedUp(handle: WorkflowHandle, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const { historyLength, status } = await handle.describe();
    if (historyLength > 2 || status.name !== 'RUNNING') return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
