/**
 * The plain JSON numbers of the byte readers (kafka-dump-bytes.ts, bpm-bytes.ts), read from bytes: whole
 * numbers of up to 15 digits, which are summed digit by digit without rounding, and unsigned decimals of
 * up to 17 significant digits, converted exactly by decimal-double.ts. Anything else (a sign, an
 * exponent, more digits, a leading zero before a digit) is NO_MATCH: the bpm reader takes other heart
 * rates its own way, and other numbers go to the text parsers.
 */
import { areFourDigits, fourDigitsValue } from './ascii-words.ts';
import { decimalToDouble, MAX_EXACT_SCALE, MAX_TRAILING_DIGITS, POWERS_OF_TEN } from './decimal-double.ts';
import { NO_MATCH } from './json-bytes.ts';

/** Whole numbers of up to 15 digits are safe integers, summed digit by digit without rounding. */
const MAX_WHOLE_DIGITS = 15;
/** The most significant digits of a decimal read here: of more than 15, the last MAX_TRAILING_DIGITS go to decimalToDouble's `trailing`, the others (at most 9) to `leading`. */
const MAX_DECIMAL_DIGITS = 17;
const ZERO = 48;
const DOT = 46;
const EXPONENT = 101;
const EXPONENT_UPPER = 69;

/** Reads one number at a time into `value`. */
export class PlainNumberReader {
  /** The value of the last number read. */
  value = 0;
  /** A view of the input for reading four digits at a time, made again when the input changes. */
  private input: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.input.buffer);

  /** The plain whole number at `at` (no sign, no leading zero, at most 15 digits) into `value`; the index after it, or NO_MATCH. */
  whole(bytes: Uint8Array, at: number): number {
    const first = at;
    let value = 0;
    // A read past the end of `bytes` gives undefined, which is no digit.
    for (let d = bytes[at]! - 48; d >= 0 && d <= 9; d = bytes[at]! - 48) {
      value = value * 10 + d;
      at++;
      // "0" ends the number: a digit after it is not JSON, and then no separator follows.
      if (value === 0) break;
    }
    if (at === first || at - first > MAX_WHOLE_DIGITS) return NO_MATCH;
    this.value = value;
    return at;
  }

  /**
   * The unsigned JSON number at `at` without exponent (`0`, `83`, `156.64520460567036`, `0.05`) into
   * `value`, the double JSON.parse gives for it; the index after it, or NO_MATCH for any other token,
   * one of more than 17 significant digits or 22 after the point, one of 16 or 17 with fewer than 8
   * after the point, or one decimalToDouble leaves.
   */
  decimal(bytes: Uint8Array, at: number): number {
    if (bytes !== this.input) {
      this.input = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    // First where the digits are, then their values, four digits at a time.
    const wholeStart = at;
    if (bytes[at] === ZERO) at++;
    else at = this.digitsEnd(at);
    const wholeEnd = at;
    if (wholeEnd === wholeStart || isDigit(bytes[at]!)) return NO_MATCH; // none, or "01"
    let fractionEnd = at;
    if (bytes[at] === DOT) {
      fractionEnd = this.digitsEnd(at + 1);
      if (fractionEnd === at + 1) return NO_MATCH;
    }
    const next = bytes[fractionEnd];
    if (next === EXPONENT || next === EXPONENT_UPPER) return NO_MATCH;
    const scale = fractionEnd === wholeEnd ? 0 : fractionEnd - wholeEnd - 1;
    if (scale > MAX_EXACT_SCALE) return NO_MATCH;
    let digits = wholeEnd - wholeStart + scale;
    if (bytes[wholeStart] === ZERO) {
      // 0.000123: the zeros before the first other digit add nothing to the value.
      let first = wholeEnd + 1;
      while (first < fractionEnd && bytes[first] === ZERO) first++;
      digits = Math.max(0, fractionEnd - first);
    }
    const whole = this.digitsValue(wholeStart, wholeEnd);
    let value: number;
    if (digits <= MAX_WHOLE_DIGITS) {
      // Below 10^15: whole·10^scale + fraction is exact (whole is 0 when scale is over 15), and so is the one division.
      value = decimalToDouble(whole * POWERS_OF_TEN[scale]! + this.digitsValue(wholeEnd + 1, fractionEnd), 0, 0, scale);
    } else {
      if (digits > MAX_DECIMAL_DIGITS || scale < MAX_TRAILING_DIGITS) return NO_MATCH;
      // The last 8 digits apart, the others (fewer than 10 significant ones) before them.
      const split = fractionEnd - MAX_TRAILING_DIGITS;
      const leading = whole * POWERS_OF_TEN[split - wholeEnd - 1]! + this.digitsValue(wholeEnd + 1, split);
      value = decimalToDouble(leading, this.digitsValue(split, fractionEnd), MAX_TRAILING_DIGITS, scale);
      if (Number.isNaN(value)) return NO_MATCH;
    }
    this.value = value;
    return fractionEnd;
  }

  /** The index of the first byte at or after `at` that is not a digit. */
  private digitsEnd(at: number): number {
    const limit = this.view.byteLength - 4;
    while (at <= limit && areFourDigits(this.view.getInt32(at, true))) at += 4;
    while (isDigit(this.input[at]!)) at++;
    return at;
  }

  /** The whole number the digits bytes[from, to) write (all digits, a value below 10^15). */
  private digitsValue(from: number, to: number): number {
    let value = 0;
    for (; from + 4 <= to; from += 4) value = value * 10_000 + fourDigitsValue(this.view.getInt32(from, true));
    for (; from < to; from++) value = value * 10 + this.input[from]! - ZERO;
    return value;
  }
}

const isDigit = (c: number): boolean => c >= ZERO && c <= ZERO + 9;
