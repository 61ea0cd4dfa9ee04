/**
 * Files that appear whole or not at all. Text goes to a temp file beside the target, which is synced
 * and then renamed onto the target name: the pipeline, which ingests whatever it finds in the landing
 * zone, never sees a file half written. Temp names have the shape the project's LocalObjectStore uses
 * (`.<name>.<16 hex>.fitlake-tmp`), which its listing skips, so a landing zone read through it does not
 * even see them while they grow.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rename, stat, type FileHandle, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';

/** A temp name beside `file`; the random part only keeps concurrent writers apart, it never reaches the data. */
function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.fitlake-tmp`);
}

/** A file being written under a temp name; commit() makes it appear at its final path. */
export class AtomicFile {
  private constructor(
    readonly file: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  /** Start writing `file` (its folder is created); nothing is visible at `file` until commit(). */
  static async create(file: string): Promise<AtomicFile> {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = tempPathFor(file);
    return new AtomicFile(file, temp, await open(temp, 'wx', 0o644));
  }

  /** Append text (UTF-8). */
  async write(text: string): Promise<void> {
    await this.handle.write(text);
  }

  /** Sync and rename onto the final path, replacing any file there. */
  async commit(): Promise<void> {
    try {
      // Without the sync a crash right after the rename could leave a visible file with missing data.
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
    // ATOMICITY POINT: the rename is the moment the whole file appears.
    await rename(this.temp, this.file);
  }

  /** Drop the temp file; the final path is untouched. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}

/** Copy a file so that the copy appears whole at `to` (copied under a temp name, then renamed). */
export async function copyFileAtomically(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const temp = tempPathFor(to);
  try {
    await copyFile(from, temp);
    // A copy of a finished file keeps its times (as `cp -p`): to the landing zone it is an export
    // finished then, not a file still being written (see lakehouse/steps/bronze/file-extent.ts).
    const source = await stat(from);
    await utimes(temp, source.atime, source.mtime);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, to);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
