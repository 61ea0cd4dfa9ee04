/**
 * Text files to records, one per line. Lines end with `\n` or `\r\n`, the last one may have no line
 * break, and blank (whitespace-only) lines are not records: the SBIT exports end with blank lines that
 * must not become empty records. Line numbers count every physical line, blank ones included, so a
 * record's number points at its line in the file (quarantine reports it).
 *
 * A byte-order mark at the very start of a file is dropped, as the UTF-8 decoder does for bytes.
 */
import { StringDecoder } from 'node:string_decoder';

/** One record of a text file: the line without its line break, and its 1-based line number. */
export interface TextLine {
  readonly line: string;
  readonly lineNumber: number;
  /** Set on a line longer than the reader's limit: its length in characters; `line` is then only its start. */
  readonly oversized?: number;
}

/** Characters of an oversized line kept (as its raw text in quarantine). */
export const OVERSIZED_HEAD_CHARS = 1024;

/** A line cut to its head, marked with its length. */
function oversizedLine(head: string, lineNumber: number, length: number): TextLine {
  return { line: head.slice(0, OVERSIZED_HEAD_CHARS), lineNumber, oversized: length };
}

const CR = 13;
const BOM = 0xfeff;

/** The characters String.prototype.trim removes; checked by code so a blank test allocates nothing. */
function isWhitespace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === BOM
  );
}

/** True when text[start, end) holds only whitespace; returns at the first other character. */
export function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isWhitespace(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Appends the non-blank lines of text[start, end) to `out`, numbering from `lineNumber`, and returns
 * the number of the line after the last one. The range ends at a line break or at the end of the text.
 */
function collectLines(text: string, start: number, end: number, lineNumber: number, out: TextLine[] | ((line: TextLine) => void)): number {
  let n = lineNumber;
  let from = start;
  const push = typeof out === 'function' ? out : (line: TextLine) => out.push(line);
  while (from < end) {
    let lf = text.indexOf('\n', from);
    if (lf === -1 || lf >= end) lf = end;
    const stop = lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    if (!isBlank(text, from, stop)) push({ line: text.slice(from, stop), lineNumber: n });
    n++;
    from = lf + 1;
  }
  return n;
}

/**
 * The non-blank lines of a text holding whole lines, numbered from `firstLineNumber` (1 for a whole
 * file; a leading byte-order mark is then dropped).
 */
export function splitLines(text: string, firstLineNumber = 1): TextLine[] {
  const out: TextLine[] = [];
  const start = firstLineNumber === 1 && text.charCodeAt(0) === BOM ? 1 : 0;
  collectLines(text, start, text.length, firstLineNumber, out);
  return out;
}

/**
 * Calls `each` with the non-blank lines of a part of a file that holds whole lines, numbered from
 * `firstLineNumber`, and returns the number of the line after the part: the lines readLineBatches gives
 * for that part of the file (a byte-order mark is dropped only at the file's start), for a part parsed
 * on its own (on a worker thread). One line at a time, so none outlives its parsing.
 */
export function eachLineOfRange(text: string, firstLineNumber: number, atFileStart: boolean, each: (line: TextLine) => void): number {
  const start = atFileStart && text.charCodeAt(0) === BOM ? 1 : 0;
  return collectLines(text, start, text.length, firstLineNumber, each);
}

/**
 * The non-blank lines of a byte or text stream (e.g. fs.createReadStream), one batch per chunk, so a
 * large file is never held whole and the per-line cost of async iteration is paid once per chunk.
 * Lines and multi-byte UTF-8 characters split across chunks are joined; malformed UTF-8 becomes U+FFFD
 * (the record then usually fails its own parse and is quarantined, instead of failing the whole file).
 */
export async function* readLineBatches(
  source: AsyncIterable<Uint8Array | string>,
  from: { lineNumber: number; atFileStart: boolean } = { lineNumber: 1, atFileStart: true },
  maxLineChars = Infinity,
): AsyncGenerator<TextLine[]> {
  // The BOM is kept by the decoder and dropped below, so byte and string sources are treated alike.
  // Node's StringDecoder decodes (ASCII above all) several times faster than TextDecoder, with the same
  // replacement of malformed bytes by U+FFFD and the same joining of characters split across chunks.
  // A source that starts within a file (`from`) numbers on from there and keeps a leading U+FEFF.
  // A line longer than maxLineChars is not held whole: its head is kept, the rest counted and dropped,
  // and it comes as an oversized line (memory stays bounded by the limit and a chunk).
  const decoder = new StringDecoder('utf8');
  let carry = ''; // the text after the last line break seen so far: the start of an unfinished line
  let lineNumber = from.lineNumber;
  let atStart = from.atFileStart;
  let skipping: { head: string; length: number } | undefined; // an oversized line being passed over
  const capped = (lines: TextLine[]) => (maxLineChars === Infinity ? lines : lines.map((l) => (l.line.length > maxLineChars ? oversizedLine(l.line, l.lineNumber, l.line.length) : l)));
  for await (const chunk of source) {
    // A string chunk after byte chunks ends any half-decoded character (flush the decoder first).
    let text = carry + (typeof chunk === 'string' ? decoder.end() + chunk : decoder.write(chunk));
    if (atStart && text.length > 0) {
      atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    const batch: TextLine[] = [];
    if (skipping) {
      const lf = text.indexOf('\n');
      if (lf === -1) {
        skipping.length += text.length;
        carry = '';
        continue;
      }
      batch.push(oversizedLine(skipping.head, lineNumber++, skipping.length + lf));
      skipping = undefined;
      text = text.slice(lf + 1);
    }
    const lastLf = text.lastIndexOf('\n');
    const whole: TextLine[] = [];
    if (lastLf >= 0) lineNumber = collectLines(text, 0, lastLf + 1, lineNumber, whole);
    for (const l of capped(whole)) batch.push(l);
    carry = text.slice(lastLf + 1);
    if (carry.length > maxLineChars) {
      skipping = { head: carry.slice(0, OVERSIZED_HEAD_CHARS), length: carry.length };
      carry = '';
    }
    if (batch.length > 0) yield batch;
  }
  if (skipping) {
    yield [oversizedLine(skipping.head, lineNumber, skipping.length + decoder.end().length)];
    return;
  }
  let rest = carry + decoder.end();
  if (atStart && rest.charCodeAt(0) === BOM) rest = rest.slice(1);
  const batch: TextLine[] = [];
  collectLines(rest, 0, rest.length, lineNumber, batch);
  if (batch.length > 0) yield capped(batch);
}

/** The reason a line of `length` characters (or bytes, read as bytes) over `limit` is quarantined for. */
export function oversizedReason(length: number, limit: number, unit: 'characters' | 'bytes' = 'characters'): string {
  return `line of ${length} ${unit}, over the limit of ${limit}; its first ${OVERSIZED_HEAD_CHARS} kept`;
}

/** The non-blank lines of a byte or text stream one by one; see readLineBatches for the rules. */
export async function* readLines(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<TextLine> {
  for await (const batch of readLineBatches(source)) yield* batch;
}
