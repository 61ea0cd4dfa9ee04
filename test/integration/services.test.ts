import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PORTS, stackStatus, startStack } from '../../devstack/services.ts';
import { installedTools, type ToolPaths } from '../../devstack/tools.ts';

test('a second start of a running stack reuses every service and starts no duplicate', async (t) => {
  const dir = process.env.FITLAKE_TEST_STACK_DIR;
  if (!dir) return t.skip('FITLAKE_TEST_STACK_DIR unset: run through `npm test`, which starts the stack');
  const before = await stackStatus(dir);
  assert.deepEqual(Object.values(before.services).map((s) => s.state), ['running', 'running', 'running']);

  // Other requested ports must not matter: the recorded stack is reused, not joined by a second one.
  const again = await startStack({ dir, ports: { ...DEFAULT_PORTS, kafka: 1 }, tools: installedTools() as ToolPaths, headless: true });
  for (const [name, service] of Object.entries(again.services)) {
    assert.equal(service.reused, true, `${name} was started again`);
    assert.equal(service.pid, before.services[name as keyof typeof before.services].pid);
  }
  const after = await stackStatus(dir);
  assert.deepEqual(after, before);
});
