/**
 * Reading ASCII text four bytes at a time (one DataView.getInt32, little-endian), for the fast paths of
 * dump lines and bpm payloads, where a byte loop costs more than the work itself: matching a literal
 * such as `,"topic":"` with a word compare or two, finding how many of four bytes are plain JSON string
 * characters, and reading four digits, each with a few bit operations on the word ("SWAR", SIMD within
 * a register).
 */

/**
 * An ASCII literal as the words to compare: at 0, 4, 8, … and, for a length not a multiple of 4, its
 * last four bytes. The first four words are fields, compared without a loop (a loop over typed arrays
 * cost twice as much on the bpm fast path): literals longer than 16 bytes loop over the rest.
 */
export class AsciiLiteral {
  readonly length: number;
  private readonly count: number;
  /** The little-endian words at offsets 0, at1, at2, at3, then restWords at restOffsets. */
  private readonly word0: number;
  private readonly word1: number;
  private readonly word2: number;
  private readonly word3: number;
  private readonly at1: number;
  private readonly at2: number;
  private readonly at3: number;
  private readonly restWords: Int32Array;
  private readonly restOffsets: Int32Array;

  constructor(readonly text: string) {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length < 4 || bytes.length !== text.length) throw new RangeError(`an ASCII literal of at least 4 bytes, not ${JSON.stringify(text)}`);
    this.length = bytes.length;
    const offsets: number[] = [];
    for (let at = 0; at + 4 <= bytes.length; at += 4) offsets.push(at);
    // The last word may overlap the one before: comparing a byte twice is cheaper than a byte loop.
    if (bytes.length % 4 !== 0) offsets.push(bytes.length - 4);
    const view = new DataView(bytes.buffer);
    const words = offsets.map((at) => view.getInt32(at, true));
    this.count = words.length;
    [this.word0, this.word1 = 0, this.word2 = 0, this.word3 = 0] = words as [number, ...number[]];
    [, this.at1 = 0, this.at2 = 0, this.at3 = 0] = offsets;
    this.restWords = Int32Array.from(words.slice(4));
    this.restOffsets = Int32Array.from(offsets.slice(4));
  }

  /** True when view's bytes [at, at + length) are the literal's (false when they run past its end). */
  isAt(view: DataView, at: number): boolean {
    if (at < 0 || at + this.length > view.byteLength) return false;
    const count = this.count;
    if (view.getInt32(at, true) !== this.word0) return false;
    if (count > 1 && view.getInt32(at + this.at1, true) !== this.word1) return false;
    if (count > 2 && view.getInt32(at + this.at2, true) !== this.word2) return false;
    if (count > 3 && view.getInt32(at + this.at3, true) !== this.word3) return false;
    const { restWords, restOffsets } = this;
    for (let k = 0; k < restWords.length; k++) if (view.getInt32(at + restOffsets[k]!, true) !== restWords[k]) return false;
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

/**
 * True when the four bytes of `word` are all digits (0x30 to 0x39): each byte's high nibble is 3, and
 * stays 3 when 6 is added (0x3a to 0x3f become 0x40 and up; no carry leaves a byte whose nibble is 3).
 */
export function areFourDigits(word: number): boolean {
  return (word & 0xf0f0f0f0) === 0x30303030 && ((word + 0x06060606) & 0xf0f0f0f0) === 0x30303030;
}

/**
 * The number four digits write, from their word read little-endian (the first digit its low byte; the
 * bytes must be digits): pairs combined within the bytes (d0·10 + d1 and d2·10 + d3, no carry as each
 * is below 100), then the two pairs.
 */
export function fourDigitsValue(word: number): number {
  const digits = word - 0x30303030;
  const pairs = (digits * 10 + (digits >>> 8)) & 0x00ff00ff;
  return (pairs & 0xff) * 100 + (pairs >>> 16);
}
