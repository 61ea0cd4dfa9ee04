/**
 * Lines that are not valid UTF-8, found before bytes become text: decoding would turn their bad bytes
 * into U+FFFD silently (a key among them would become another key), and the original bytes would be lost.
 * Each such line is taken out of the bytes (its line break kept, so every other line keeps its number)
 * and handed back with its bytes in base64, for quarantine. Valid input, the usual case, costs one
 * validation pass (node:buffer isUtf8) and no copy.
 */
import { isUtf8 } from 'node:buffer';

const LF = 10;

/** A line that is not valid UTF-8: its 1-based number within the bytes looked at, and its bytes in base64. */
export interface InvalidUtf8Line {
  line: number;
  base64: string;
}

/** The bytes (whole lines) with their invalid lines emptied, and those lines; the same bytes when all are valid. */
export function takeInvalidUtf8Lines(bytes: Uint8Array): { bytes: Uint8Array; invalid: InvalidUtf8Line[] } {
  if (isUtf8(bytes)) return { bytes, invalid: [] };
  const invalid: InvalidUtf8Line[] = [];
  const kept: Uint8Array[] = [];
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    let end = bytes.indexOf(LF, start);
    if (end === -1) end = bytes.length;
    const text = bytes.subarray(start, end);
    if (isUtf8(text)) kept.push(text);
    else invalid.push({ line, base64: Buffer.from(text).toString('base64') });
    if (end < bytes.length) kept.push(bytes.subarray(end, end + 1));
    start = end + 1;
  }
  return { bytes: concat(kept), invalid };
}

/** The pieces in one array of its own (not from Buffer's shared pool: parts are handed to worker threads). */
function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What validUtf8Lines passed on: its line breaks, and whether it ended with one (false: a last line without one). */
export interface LineBreaks {
  breaks: number;
  endsWithBreak: boolean;
}

/**
 * A byte stream cut into chunks of whole lines (the rest carried to the next chunk), each with its
 * invalid lines taken out (takeInvalidUtf8Lines) and reported to `onInvalid` with their line numbers,
 * counted from `firstLineNumber`; the line breaks passed on are counted into `counted`. A line longer
 * than `maxCarry` is passed on unchecked (the line reader refuses it as too long).
 */
export async function* validUtf8Lines(
  source: AsyncIterable<Uint8Array>,
  firstLineNumber: number,
  maxCarry: number,
  onInvalid: (line: InvalidUtf8Line) => void,
  counted: LineBreaks = { breaks: 0, endsWithBreak: true },
): AsyncGenerator<Uint8Array> {
  let carry: Uint8Array | undefined;
  const passOn = (bytes: Uint8Array) => {
    if (bytes.length > 0) counted.endsWithBreak = bytes[bytes.length - 1] === LF;
    return bytes;
  };
  const check = (bytes: Uint8Array) => {
    const { bytes: clean, invalid } = takeInvalidUtf8Lines(bytes);
    for (const i of invalid) onInvalid({ line: firstLineNumber + counted.breaks + i.line - 1, base64: i.base64 });
    for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) counted.breaks++;
    return passOn(clean);
  };
  for await (const chunk of source) {
    const bytes = carry ? concat([carry, chunk]) : chunk;
    const lastLf = bytes.lastIndexOf(LF);
    if (lastLf === -1) {
      if (bytes.length > maxCarry) {
        // One line longer than the limit: on to the line reader as it is.
        carry = undefined;
        yield passOn(bytes);
      } else {
        carry = bytes;
      }
      continue;
    }
    carry = lastLf + 1 < bytes.length ? bytes.slice(lastLf + 1) : undefined;
    yield check(bytes.subarray(0, lastLf + 1));
  }
  if (carry) yield check(carry);
}

/** The reason an invalid line is quarantined for. */
export const INVALID_UTF8_REASON = 'not valid UTF-8 (raw holds the line\'s bytes in base64)';
