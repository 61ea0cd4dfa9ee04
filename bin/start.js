#!/usr/bin/env -S node --single-threaded-gc
// `npm start`: the demo (scripts/start.ts), from the build in dist/ when it is current (launch.js).
import { launch } from './launch.js';

await launch('start');
