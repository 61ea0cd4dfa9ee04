#!/usr/bin/env node
// The `fitlake` command. The sources are TypeScript, run through tsx's loader: no build step to forget.
import { register } from 'tsx/esm/api';

// `fitlake ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
