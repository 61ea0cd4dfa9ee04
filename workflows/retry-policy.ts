/**
 * Named timeout and retry presets of the pipeline's activities. Which failures are not retried is not
 * listed here: an activity raises those as non-retryable failures itself (activities/errors.ts), from the
 * error's own `retriable`, so a new error class cannot be forgotten in a list.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/** A pipeline step: long, heartbeating, retried with exponential backoff from its checkpoint. */
export const STEP_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
};

/** Planning and bookkeeping: short. */
export const QUICK_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
};

/** Planning as a local activity (in the workflow task): short, retried locally the same way. */
export const LOCAL_QUICK_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: QUICK_ACTIVITY.retry!,
};
