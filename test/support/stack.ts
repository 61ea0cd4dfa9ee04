/**
 * Access to the stack that `npm test` starts once per run. A test that needs a service calls one of
 * these with its test context: when the variable is absent (a file run on its own, outside `npm test`),
 * the test is skipped with a message saying how to run it, rather than failing on a missing server.
 */
import type { TestContext } from 'node:test';

function fromEnv(t: TestContext, variable: string, what: string): string | undefined {
  const value = process.env[variable];
  if (!value) t.skip(`${what} is not available: run through \`npm test\`, which starts it (${variable} unset)`);
  return value;
}

export const temporalAddress = (t: TestContext) => fromEnv(t, 'FITLAKE_TEST_TEMPORAL_ADDRESS', 'the Temporal dev server');
export const kafkaBrokers = (t: TestContext) => fromEnv(t, 'FITLAKE_TEST_KAFKA_BROKERS', 'the Kafka broker')?.split(',');
export const azureConnectionString = (t: TestContext) => fromEnv(t, 'FITLAKE_TEST_AZURE_CONNECTION_STRING', 'Azurite');
export const deltaPython = (t: TestContext) => fromEnv(t, 'FITLAKE_PYTHON', 'Python with deltalake');
/** Headless Chromium, which npm test installs from Debian's packages where it can (root with apt-get). */
export const chromium = (t: TestContext) => fromEnv(t, 'FITLAKE_TEST_CHROMIUM', 'Chromium (apt-get install chromium, as root)');

/** A name no other test (or earlier run) uses: topics, containers, task queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
