/**
 * The project's error taxonomy. Every failure a layer means to report is a FitlakeError subclass,
 * so callers (Temporal activities above all) can decide between "retry" and "give up" from
 * `retriable` alone, and Temporal can match a failure by `name` (it only sees the name and the
 * message once an error has crossed a worker boundary, never the class). Layers add their own
 * subclasses next to their code (conflict errors etc.); each subclass only has to pass `retriable`
 * to this constructor, the name follows the class automatically.
 */

/** Options common to every FitlakeError: the underlying error, if any. */
export interface FitlakeErrorOptions {
  cause?: unknown;
}

/** Base of all project errors: a message, whether retrying can help, and the underlying cause. */
export class FitlakeError extends Error {
  /** True when the same operation may succeed if tried again later (transient failure). */
  readonly retriable: boolean;

  constructor(message: string, retriable: boolean, options?: FitlakeErrorOptions) {
    // Passing `cause` through Error's own option keeps it visible to node's inspector and loggers.
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = retriable;
    // new.target is the most derived class, so subclasses get their own name without repeating it.
    this.name = new.target.name;
  }
}

/** An object (or other named thing) that does not exist; retrying will not make it appear. */
export class NotFoundError extends FitlakeError {
  /** The key that was looked up, relative to the store's root. */
  readonly key: string;

  constructor(key: string, message = `not found: ${key}`, options?: FitlakeErrorOptions) {
    super(message, false, options);
    this.key = key;
  }
}

/** Options of a StorageError: the key involved and whether retrying can help (default true). */
export interface StorageErrorOptions extends FitlakeErrorOptions {
  key?: string;
  retriable?: boolean;
}

/** An I/O or storage-service failure; transient (retriable) unless constructed otherwise. */
export class StorageError extends FitlakeError {
  /** The key the failing operation was about, when there was one. */
  readonly key: string | undefined;

  constructor(message: string, options?: StorageErrorOptions) {
    super(message, options?.retriable ?? true, options);
    this.key = options?.key;
  }
}

/** Options of a ConfigError: the offending setting and its value, for messages and tooling. */
export interface ConfigErrorOptions extends FitlakeErrorOptions {
  setting?: string;
  value?: string;
}

/** Bad or missing configuration (a missing container, a bad URI, a rejected credential). */
export class ConfigError extends FitlakeError {
  /** Which setting is wrong, e.g. `location` or `container`, when known. */
  readonly setting: string | undefined;
  /** The offending value, when it is safe to show (never a secret). */
  readonly value: string | undefined;

  constructor(message: string, options?: ConfigErrorOptions) {
    super(message, false, options);
    this.setting = options?.setting;
    this.value = options?.value;
  }
}
