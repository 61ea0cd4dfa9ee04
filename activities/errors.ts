/**
 * Which failures an activity retries. Configuration, schema and corrupt-input errors cannot succeed on a
 * retry: they are raised as non-retryable ApplicationFailures whose type is the error's class name, and
 * the same names are listed in workflows/retry-policy.ts. Everything else (storage, Kafka, network,
 * commit conflicts) is retried with backoff; a retry resumes from the step's committed checkpoints.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FitlakeError } from '../lakehouse/errors.ts';

/** Re-raise an error thrown by a step in the form Temporal understands. */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof FitlakeError && !error.retriable) {
    return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true, cause: error });
  }
  return error;
}
