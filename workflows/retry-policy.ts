/** Named timeout and retry presets of the pipeline's activities. */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/** Failures that a retry cannot fix (class names of lakehouse errors). */
export const NON_RETRYABLE_ERRORS = [
  'ConfigError',
  'SchemaMismatchError',
  'TableFormatError',
  'TableNotFoundError',
  'CsvHeaderError',
  'NotFoundError',
];

/** A pipeline step: long, heartbeating, retried with exponential backoff from its checkpoint. */
export const STEP_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20, nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
};

/** Planning and bookkeeping: short. */
export const QUICK_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
};

/** Planning as a local activity (in the workflow task): short, retried locally the same way. */
export const LOCAL_QUICK_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: QUICK_ACTIVITY.retry!,
};
