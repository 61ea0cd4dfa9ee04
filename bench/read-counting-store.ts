/** A store that counts the bytes read from it, under a name its classifier gives each key (none: not counted). */
import type { ObjectStore } from '../lakehouse/storage/index.ts';

export class ReadCountingStore implements ObjectStore {
  /** Bytes read, by the classifier's name. */
  readonly bytes = new Map<string, number>();

  constructor(
    private readonly inner: ObjectStore,
    private readonly classify: (key: string) => string | undefined,
  ) {}

  get url(): string {
    return this.inner.url;
  }

  /** All bytes counted. */
  get total(): number {
    return [...this.bytes.values()].reduce((a, b) => a + b, 0);
  }

  private count(key: string, data: Uint8Array): Uint8Array {
    const name = this.classify(key);
    if (name !== undefined) this.bytes.set(name, (this.bytes.get(name) ?? 0) + data.length);
    return data;
  }

  async get(key: string): Promise<Uint8Array> {
    return this.count(key, await this.inner.get(key));
  }
  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.count(key, await this.inner.getRange(key, offset, length));
  }
  head = (key: string) => this.inner.head(key);
  put = (key: string, data: Uint8Array) => this.inner.put(key, data);
  putIfAbsent = (key: string, data: Uint8Array) => this.inner.putIfAbsent(key, data);
  list = (prefix: string) => this.inner.list(prefix);
  delete = (key: string) => this.inner.delete(key);
  move = (from: string, to: string) => this.inner.move(from, to);
}
