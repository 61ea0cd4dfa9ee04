/**
 * Reading ASCII text four bytes at a time (one DataView.getInt32, little-endian), for the fast path of
 * dump lines, where a byte loop costs more than the work itself: matching a literal such as
 * `,"topic":"` with a word compare or two, and finding how many of four bytes are plain JSON string
 * characters with a few bit operations on the word ("SWAR", SIMD within a register).
 */

/** An ASCII literal as the words to compare: at 0, 4, 8, … and, for a length not a multiple of 4, its last four bytes. */
export class AsciiLiteral {
  readonly length: number;
  /** The little-endian words at `offsets`. */
  private readonly words: Int32Array;
  private readonly offsets: Int32Array;

  constructor(readonly text: string) {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length < 4 || bytes.length !== text.length) throw new RangeError(`an ASCII literal of at least 4 bytes, not ${JSON.stringify(text)}`);
    this.length = bytes.length;
    const offsets: number[] = [];
    for (let at = 0; at + 4 <= bytes.length; at += 4) offsets.push(at);
    // The last word may overlap the one before: comparing a byte twice is cheaper than a byte loop.
    if (bytes.length % 4 !== 0) offsets.push(bytes.length - 4);
    const view = new DataView(bytes.buffer);
    this.offsets = Int32Array.from(offsets);
    this.words = Int32Array.from(offsets, (at) => view.getInt32(at, true));
  }

  /** True when view's bytes [at, at + length) are the literal's (false when they run past its end). */
  isAt(view: DataView, at: number): boolean {
    if (at < 0 || at + this.length > view.byteLength) return false;
    const { words, offsets } = this;
    for (let k = 0; k < words.length; k++) if (view.getInt32(at + offsets[k]!, true) !== words[k]) return false;
    return true;
  }
}

/**
 * How many of the four bytes of `word` (read little-endian), from the first, are plain characters of a
 * JSON string as json-bytes reads them: printable ASCII (0x20 to 0x7e) other than `"` and `\`. 4 when
 * all are.
 *
 * Each term sets the top bit of a byte that is special in one way: below 0x20 (x - 0x20 borrows),
 * above 0x7e (x + 1 or x itself reaches 0x80), `"` or `\` (x XOR it is zero, and zero - 1 borrows). A
 * borrow or carry out of a special byte can also mark the bytes after it, never one before it: so the
 * lowest marked byte is the first special one, and that is all this counts on.
 */
export function plainBytes(word: number): number {
  const quote = word ^ 0x22222222;
  const backslash = word ^ 0x5c5c5c5c;
  const special = (((word - 0x20202020) & ~word) | (word + 0x01010101) | word | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080;
  if (special === 0) return 4;
  // The index of the lowest set bit, over 8: the first special byte.
  return (31 - Math.clz32(special & -special)) >> 3;
}
