/**
 * Timing the pipeline per step, for the pipeline benchmarks: the steps are wrapped (same name, reads
 * and writes, so runPipeline stages them exactly as it stages STEPS) and each run's wall time recorded.
 * Steps of one stage run concurrently, so their times overlap; the stage-free total is measured around
 * runPipeline by the caller.
 */
import { wasmMemory } from 'parquet-wasm';
import { STEPS } from '../lakehouse/steps/graph.ts';
import { createWorkerPool, type WorkerPool } from '../lakehouse/threads/pool.ts';
import type { Step, StepResult } from '../lakehouse/steps/step.ts';

export interface StepTiming {
  step: string;
  ms: number;
  /** Resident set size when the step ended, MiB. */
  rssMiB: number;
  /** Largest resident set size sampled (every 50 ms) while the step ran, MiB; steps of one stage overlap. */
  peakRssMiB: number;
  /** CPU seconds of the whole process (all threads) while the step ran; steps of one stage overlap. */
  cpuSeconds: number;
  result: StepResult;
}

/** The pipeline's steps, each recording its wall time into `timings` when it runs. */
export function timedSteps(timings: StepTiming[], steps: readonly Step[] = STEPS): Step[] {
  return steps.map((s) => ({
    ...s,
    async run(ctx) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let peak = process.memoryUsage.rss();
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
      sampler.unref();
      try {
        const result = await s.run(ctx);
        const rss = process.memoryUsage.rss();
        timings.push({ step: s.name, ms: performance.now() - started, rssMiB: rss / 2 ** 20, peakRssMiB: Math.max(peak, rss) / 2 ** 20, cpuSeconds: cpuSecondsSince(cpu), result });
        return result;
      } finally {
        clearInterval(sampler);
      }
    },
  }));
}

/** CPU seconds (user + system, all threads) this process used since `since` (a process.cpuUsage()). */
export function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** This thread's memory now: V8 heap, ArrayBuffers and the Parquet library's WebAssembly memory (which only grows), MiB. */
export function memoryNow(): string {
  const m = process.memoryUsage();
  const mib = (n: number) => (n / 2 ** 20).toFixed(0);
  return `rss ${mib(m.rss)}, heap ${mib(m.heapUsed)}/${mib(m.heapTotal)}, array buffers ${mib(m.arrayBuffers)}, wasm ${mib(wasmMemory().buffer.byteLength)} MiB`;
}

/** Peak resident set size of this process so far, MiB. */
export function peakRssMiB(): number {
  // maxRSS is in KiB on every platform Node reports it for.
  return process.resourceUsage().maxRSS / 1024;
}

/** A table of step timings in graph order. */
export function formatTimings(timings: readonly StepTiming[], steps: readonly Step[] = STEPS): string {
  const lines: string[] = [];
  for (const s of steps) {
    const t = timings.find((x) => x.step === s.name);
    if (!t) continue;
    const r = t.result;
    lines.push(
      `  ${s.name.padEnd(26)} ${t.ms.toFixed(0).padStart(7)} ms  cpu ${t.cpuSeconds.toFixed(1).padStart(5)} s  in ${String(r.recordsIn).padStart(10)}  written ${String(r.rowsWritten).padStart(10)}  rss peak ${t.peakRssMiB.toFixed(0).padStart(5)}, after ${t.rssMiB.toFixed(0).padStart(5)} MiB`,
    );
  }
  return lines.join('\n');
}

/** Bronze records read by a run (lines of landing files and broker records). */
export function bronzeRecordsIn(timings: readonly StepTiming[]): number {
  let n = 0;
  for (const t of timings) if (t.result.step.startsWith('bronze_')) n += t.result.recordsIn;
  return n;
}

/**
 * The worker threads `--threads N` asks for on the command line (for parsing and encoding; 0: none, all
 * in-thread; default: the pool's default), for the steps' context; its size goes into the printed figures.
 */
export function threadsFromArgs(argv: readonly string[] = process.argv): WorkerPool | undefined {
  const at = argv.indexOf('--threads');
  if (at < 0) return createWorkerPool();
  const threads = Number(argv[at + 1]);
  if (!Number.isSafeInteger(threads) || threads < 0) throw new Error('--threads needs a whole number (0: no worker threads)');
  return createWorkerPool(threads);
}

/** How this process collects garbage: `npm run bench:*` and the `fitlake` command run with --single-threaded-gc (see bin/fitlake.js). */
export function gcMode(): string {
  return process.execArgv.includes('--single-threaded-gc') ? 'single-threaded' : 'parallel (V8 default)';
}
