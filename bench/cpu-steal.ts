/**
 * How much of the machine's CPU time the hypervisor gave to other guests while a benchmark ran. On a
 * shared VM the same code has run 1.5× slower from one hour to the next, and the load average does not
 * show why: steal time (the `steal` column of /proc/stat) does. The pipeline benchmarks print it beside
 * their figures so that runs from different sessions can be compared.
 */
import { readFileSync } from 'node:fs';

/** The machine-wide CPU counters (all cores, in clock ticks) at one moment; undefined off Linux. */
export interface CpuTicks {
  total: number;
  steal: number;
}

/** The machine's CPU counters now, from the aggregate `cpu` line of /proc/stat. */
export function cpuTicksNow(): CpuTicks | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const line = stat.slice(0, stat.indexOf('\n'));
  if (!line.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already counted in user.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7]! };
}

/** Steal time as a share of all CPU time since `since`, e.g. "steal 0%"; "steal n/a" where it cannot be read. */
export function stealSince(since: CpuTicks | undefined): string {
  const now = cpuTicksNow();
  if (!since || !now || now.total <= since.total) return 'steal n/a';
  return `steal ${((100 * (now.steal - since.steal)) / (now.total - since.total)).toFixed(0)}%`;
}
