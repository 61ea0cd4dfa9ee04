/**
 * The storage contract every table operation is written against: a flat key space of immutable-ish
 * objects. Keys are '/'-separated paths relative to the store's root, never starting with '/'.
 *
 * The one operation that carries the table format's atomicity is `putIfAbsent`: the Delta commit
 * point is the exclusive creation of the next `_delta_log/NNN.json`, so it must be atomic on every
 * implementation (exclusive link on disk, `If-None-Match: *` on Azure Blob).
 */
export interface ObjectStore {
  /** A human-readable root such as `file:///lake` or `az://container/prefix`, for messages. */
  readonly url: string;
  /** The whole object. Throws NotFoundError when absent. */
  get(key: string): Promise<Uint8Array>;
  /** Bytes [offset, offset + length) of the object. Throws NotFoundError when absent. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** Size and modification time, or undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Create or replace the object. */
  put(key: string, data: Uint8Array): Promise<void>;
  /**
   * Create the object only if no object has the key; returns false (and writes nothing) when one does.
   * Atomic: of two concurrent callers with the same key exactly one gets true.
   */
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean>;
  /**
   * Every object whose key starts with the prefix, sorted by key ascending. An entry that cannot be an
   * object (on disk: a symbolic link loop or a link leading out of the store, a FIFO, a socket, a device)
   * is listed with `unreadable` saying why, and is never read.
   */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Remove the object; removing an absent object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Move an object to another key of the store, replacing what is there; throws NotFoundError when the
   * source is absent. On disk a rename (atomic); on Azure a server-side copy, then the source's delete:
   * a crash between leaves both, and moving again finishes it. Nothing is read into memory.
   */
  move(from: string, to: string): Promise<void>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  /** Last modification, milliseconds since the epoch. */
  modified: number;
  /** Why this entry is not an object that can be read (see list); absent for objects. */
  unreadable?: string;
}
