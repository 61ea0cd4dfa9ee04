#!/usr/bin/env -S node --single-threaded-gc
// The `fitlake` command: the build in dist/ when it is current, else the TypeScript through tsx (launch.js).
// --single-threaded-gc: the pipeline keeps the main thread and a worker thread per core busy, so V8's
// parallel and concurrent GC helper threads only compete with them for the cores (on 2 cores the 10 M
// readings bench took ~10% less CPU without them). V8 takes GC flags only on its command line.
// `node bin/fitlake.js …` runs without it.
import { launch } from './launch.js';

// `fitlake ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const { main } = await launch('fitlake');
process.exitCode = await main(process.argv.slice(2));
