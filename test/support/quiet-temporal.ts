// Imported first by tests that run Temporal workers: the SDK's INFO lines drown the test report.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
