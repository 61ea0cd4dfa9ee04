/**
 * Peak memory of a whole child process, for whole-process.ts: the kernel's high-water mark of its
 * resident set (VmHWM in /proc/self/status), which covers every thread and every moment, where sampling
 * from outside misses short peaks. The child writes it itself as it exits, to the file named by
 * PEAK_RSS_ENV: a Node child through a preload (`node --import <preload> …`), a Python child through a
 * wrapper that runs the script as __main__.
 *
 * The two helpers are written as files into the benchmark's work folder at run time: they must be plain
 * JavaScript and Python (the preload runs before any TypeScript loader), which this project lints only as
 * TypeScript.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The environment variable naming the file a child writes its peak RSS (KiB) into. */
export const PEAK_RSS_ENV = 'FITLAKE_BENCH_PEAK_RSS_FILE';

const NODE_PRELOAD = `// Written by bench/peak-rss.ts: on exit, this process's peak RSS (VmHWM, KiB) into $${PEAK_RSS_ENV}.
import { readFileSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
const out = process.env.${PEAK_RSS_ENV};
// Worker threads load the preload too; only the main thread's exit is the process's.
if (out && isMainThread) {
  process.on('exit', () => {
    const kib = /^VmHWM:\\s*(\\d+)\\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib) writeFileSync(out, kib + '\\n');
  });
}
`;

const PYTHON_WRAPPER = `# Written by bench/peak-rss.ts: runs SCRIPT ARGS... as __main__; on exit, this process's peak RSS
# (VmHWM, KiB) into $${PEAK_RSS_ENV}. atexit also runs after sys.exit() and an uncaught exception.
import atexit, os, re, runpy, sys

def _write_peak():
    out = os.environ.get("${PEAK_RSS_ENV}")
    if not out:
        return
    with open("/proc/self/status") as f:
        m = re.search(r"^VmHWM:\\s*(\\d+)\\s*kB", f.read(), re.M)
    if m:
        with open(out, "w") as f:
            f.write(m.group(1) + "\\n")

atexit.register(_write_peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
`;

export interface PeakRssHelpers {
  /** For `node --import <nodePreload>`. */
  nodePreload: string;
  /** For `python <pythonWrapper> SCRIPT ARGS...`. */
  pythonWrapper: string;
}

/** Write the preload and the wrapper into `dir`. */
export async function writePeakRssHelpers(dir: string): Promise<PeakRssHelpers> {
  const nodePreload = path.join(dir, 'peak-rss-preload.mjs');
  const pythonWrapper = path.join(dir, 'peak-rss-wrapper.py');
  await writeFile(nodePreload, NODE_PRELOAD);
  await writeFile(pythonWrapper, PYTHON_WRAPPER);
  return { nodePreload, pythonWrapper };
}

/** The peak RSS a child wrote into `file`, MiB; undefined when it wrote none (it was killed, or crashed hard). */
export async function readPeakRssMiB(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const kib = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(kib) ? kib / 1024 : undefined;
}
