/**
 * ObjectStore over a directory of the local filesystem: key `a/b/c` is the file `<root>/a/b/c`.
 *
 * Writers never expose a partially written object. Every write goes to a temp file in the target's
 * directory first (same filesystem, so the final step is a metadata operation, not a copy), is
 * fsynced, and only then becomes visible: by rename for `put` (atomic replace) and by hard link for
 * `putIfAbsent` (atomic exclusive create). Temp files are named `.<name>.<16 hex>.fitlake-tmp`,
 * are never listed, and keys of that shape are refused.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, readFile, realpath, rename, rmdir, stat, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, NotFoundError, StorageError } from '../errors.ts';
import { assertValidKey, assertValidPrefix, compareKeys } from './keys.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

const TEMP_SUFFIX = '.fitlake-tmp';
const TEMP_NAME = /^\..*\.[0-9a-f]{16}\.fitlake-tmp$/;
/** Attempts of a write whose directory vanished under it (a concurrent delete pruned it). */
const WRITE_ATTEMPTS = 5;

/** A filesystem directory as an ObjectStore; the directory is created on first write. */
export class LocalObjectStore implements ObjectStore {
  readonly url: string;
  /** Absolute path of the root directory. */
  readonly root: string;

  constructor(root: string) {
    if (root === '') throw new ConfigError('local store root is empty', { setting: 'location', value: root });
    this.root = path.resolve(root);
    this.url = pathToFileURL(this.root).href;
  }

  /** The root with its own links resolved (links inside the store are judged against it). */
  private realRootPath: Promise<string> | undefined;
  private realRoot(): Promise<string> {
    this.realRootPath ??= realpath(this.root).catch(() => this.root);
    return this.realRootPath;
  }

  async get(key: string): Promise<Uint8Array> {
    const file = this.pathOf(key);
    try {
      return await readFile(file);
    } catch (error) {
      if (isAbsence(error)) throw this.notFound(key, error);
      throw this.fsError(error, key, 'read');
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    assertRange(offset, length);
    const file = this.pathOf(key);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isAbsence(error)) throw this.notFound(key, error);
      throw this.fsError(error, key, 'read');
    }
    try {
      const out = new Uint8Array(length);
      let filled = 0;
      // read() may return fewer bytes than asked for; stop early only at end of file.
      while (filled < length) {
        const { bytesRead } = await handle.read(out, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? out : out.subarray(0, filled);
    } catch (error) {
      if (isAbsence(error)) throw this.notFound(key, error);
      throw this.fsError(error, key, 'read');
    } finally {
      await handle.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(key);
    try {
      const info = await stat(file);
      return info.isFile() ? { key, size: info.size, modified: Math.trunc(info.mtimeMs) } : undefined;
    } catch (error) {
      if (isAbsence(error)) return undefined;
      throw this.fsError(error, key, 'stat');
    }
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.write(key, data, false);
  }

  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    return this.write(key, data, true);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertValidPrefix(prefix);
    // Only the directory named by the prefix's complete segments can hold matches; its entries are
    // filtered by the partial last segment, and matching subdirectories are walked whole.
    const slash = prefix.lastIndexOf('/');
    const dirKey = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    const out: ObjectInfo[] = [];
    await this.walk(path.join(this.root, ...dirKey.split('/')), dirKey, namePrefix, out);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if (isAbsence(error)) return;
      // unlink of a directory fails with EISDIR (Linux) or EPERM (macOS): no object has that key.
      if (await isDirectory(file)) return;
      throw this.fsError(error, key, 'delete');
    }
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(source, target);
    } catch (error) {
      if (isAbsence(error)) throw this.notFound(from, error);
      throw this.fsError(error, from, 'move');
    }
    await this.pruneEmptyDirs(path.dirname(source));
  }

  /** The file of a key; throws ConfigError for an invalid key or one shaped like a temp file. */
  private pathOf(key: string): string {
    assertValidKey(key);
    const segments = key.split('/');
    if (TEMP_NAME.test(segments[segments.length - 1] ?? '')) {
      throw new ConfigError(`invalid object key ${JSON.stringify(key)}: the name is reserved for temp files`, { setting: 'key', value: key });
    }
    return path.join(this.root, ...segments);
  }

  private async write(key: string, data: Uint8Array, exclusive: boolean): Promise<boolean> {
    const file = this.pathOf(key);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeOnce(file, data, exclusive);
      } catch (error) {
        // A concurrent delete may prune the directory between our mkdir and the temp file's
        // creation (see pruneEmptyDirs); recreating it and trying again is all that is needed.
        if (errnoCode(error) === 'ENOENT' && attempt < WRITE_ATTEMPTS) continue;
        throw this.fsError(error, key, 'write');
      }
    }
  }

  private async writeOnce(file: string, data: Uint8Array, exclusive: boolean): Promise<boolean> {
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, tempName(path.basename(file)));
    let tempExists = false;
    try {
      const handle = await open(temp, 'wx', 0o644);
      tempExists = true;
      try {
        await handle.writeFile(data);
        // Without this sync a crash after the rename/link could leave a visible but empty file
        // on filesystems that delay data writes (ext4 delalloc): the commit would be torn.
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (!exclusive) {
        // ATOMICITY POINT (put): rename replaces the target in one step; readers see the old
        // content or the new, never a mix.
        await rename(temp, file);
        tempExists = false;
        return true;
      }
      try {
        // ATOMICITY POINT (putIfAbsent): link() creates the name only if it does not exist, and the
        // content behind it is already complete, so a winner's file is never seen half written
        // and a loser writes nothing. (open(O_EXCL) would be exclusive too, but would expose the
        // file while it is still being written.)
        await link(temp, file);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
        // EEXIST from a directory means a key below it exists, not this one: a real conflict.
        if (await isDirectory(file)) throw error;
        return false;
      }
      // The link is the Delta commit point: make the new directory entry durable too.
      await syncDirectory(dir);
      return true;
    } finally {
      if (tempExists) await unlink(temp).catch(() => undefined);
    }
  }

  private async walk(dir: string, dirKey: string, namePrefix: string, out: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      // A missing directory (or a file where a directory was expected) simply holds no keys.
      if (isAbsence(error)) return;
      throw this.fsError(error, dirKey, 'list');
    }
    await Promise.all(
      entries.map(async (entry) => {
        if (!entry.name.startsWith(namePrefix) || TEMP_NAME.test(entry.name)) return;
        const key = dirKey + entry.name;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          await this.walk(full, `${key}/`, '', out);
          return;
        }
        try {
          const entryInfo = await lstat(full);
          const refuse = (unreadable: string) => out.push({ key, size: 0, modified: Math.trunc(entryInfo.mtimeMs), unreadable });
          if (entryInfo.isSymbolicLink()) {
            // A link to a file of this store counts as that file; a loop, or a way out of the store
            // (which would hand out files the store's owner never put there), is refused, never followed.
            let target: string;
            try {
              target = await realpath(full);
            } catch (error) {
              if (errnoCode(error) === 'ELOOP') return refuse('a symbolic link loop');
              if (isAbsence(error)) return; // a dangling link holds nothing
              throw error;
            }
            const root = await this.realRoot();
            if (target !== root && !target.startsWith(root + path.sep)) return refuse(`a symbolic link to ${target}, outside the store`);
            const info = await stat(full);
            if (info.isFile()) out.push({ key, size: info.size, modified: Math.trunc(info.mtimeMs) });
            else if (!info.isDirectory()) refuse(`a symbolic link to ${kindOf(info)}, not a file`);
            return;
          }
          if (entryInfo.isFile()) out.push({ key, size: entryInfo.size, modified: Math.trunc(entryInfo.mtimeMs) });
          else refuse(`${kindOf(entryInfo)}, not a file`);
        } catch (error) {
          if (isAbsence(error)) return; // deleted while we listed
          throw this.fsError(error, key, 'list');
        }
      }),
    );
  }

  /** Removes now-empty directories from `dir` up to (not including) the root; best effort. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir !== this.root && dir.startsWith(this.root + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (the usual case), already gone, or not ours to remove
      }
      dir = path.dirname(dir);
    }
  }

  private notFound(key: string, cause: unknown): NotFoundError {
    return new NotFoundError(key, `not found: ${key} in ${this.url}`, { cause });
  }

  private fsError(error: unknown, key: string, operation: string): Error {
    if (error instanceof ConfigError || error instanceof StorageError || error instanceof NotFoundError) return error;
    const code = errnoCode(error);
    const where = `${operation} ${key} in ${this.url}`;
    switch (code) {
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new ConfigError(`${where}: permission denied (${code}); check the store root's permissions`, {
          setting: 'location',
          value: this.url,
          cause: error,
        });
      case 'ENOTSUP':
      case 'EOPNOTSUPP':
      case 'EXDEV':
        return new ConfigError(`${where}: the filesystem does not support hard links (${code}), which putIfAbsent needs`, {
          setting: 'location',
          value: this.url,
          cause: error,
        });
      case 'ENOTDIR':
      case 'EISDIR':
      case 'EEXIST':
      case 'ENOTEMPTY':
        return new StorageError(`${where}: the key collides with a directory or file of another key (${code})`, {
          key,
          retriable: false,
          cause: error,
        });
      case 'ENAMETOOLONG':
        return new StorageError(`${where}: name too long for the filesystem`, { key, retriable: false, cause: error });
      default:
        return new StorageError(`${where} failed: ${error instanceof Error ? error.message : String(error)}`, { key, cause: error });
    }
  }
}

/** What a directory entry that is not a regular file is, for messages. */
function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function tempName(name: string): string {
  // The name part is cut short so the temp name stays within NAME_MAX when the key's name is long.
  return `.${name.slice(0, 128)}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`;
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** ENOENT, or ENOTDIR when a path component is a file: either way there is no such object. */
function isAbsence(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Best effort: the link has already happened, so the object is visible and the caller must hear
 * true; failing here would make it retry, see EEXIST and wrongly conclude it lost the race.
 * (Some platforms, Windows among them, cannot open or sync a directory at all.)
 */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // the data itself was synced before the link; only the entry's durability is uncertain
  }
}

function assertRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`invalid byte range: offset ${offset}, length ${length}`);
  }
}
