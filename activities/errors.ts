/**
 * Which failures an activity retries, decided in one place: the error itself. A FitlakeError that says
 * it is not retriable (configuration, schema, corrupt input: see lakehouse/errors.ts) is raised as a
 * non-retryable ApplicationFailure whose type is the error's class name, so Temporal stops retrying it
 * whatever the retry policy. Everything else (storage, Kafka, network, commit conflicts) is retried with
 * backoff; a retry resumes from the step's committed checkpoints.
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

/** The activities, each raising its failures in the form Temporal understands (toActivityFailure). */
export function withActivityFailures<A extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: A): A {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (e) {
        throw toActivityFailure(e);
      }
    };
  }
  return wrapped as A;
}
