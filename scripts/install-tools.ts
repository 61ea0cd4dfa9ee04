/** `npm run tools`: install the local services' tools into .tools/ (idempotent), printing what it did. */
import { ensureTools } from '../devstack/tools.ts';

const started = Date.now();
const tools = await ensureTools((line) => console.log(line), { python: true });
for (const [name, where] of Object.entries(tools)) console.log(`${name.padEnd(12)} ${where}`);
console.log(`tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
