/**
 * Decimals of up to 17 significant digits (what String() writes for a double, and so what bpm heart
 * rates look like) converted to the nearest double without Number() of a string, which costs more than
 * everything else of reading a payload. The result is the double JSON.parse gives, or NaN when this
 * module cannot be sure of it (a halfway case, the edge of a binade): the caller then asks Number().
 *
 * The digits M (an integer below 10^17 < 2^57) over 10^scale, scale ≤ 22 so that 10^scale is an exact
 * double. When M is an exact double, M / 10^scale is one correctly rounded division (Clinger's fast
 * path). Otherwise M = hi + lo with hi the double nearest M, and:
 *
 * 1. q = hi / 10^scale (rounded), and the remainder R = M - q·10^scale computed exactly: q·10^scale =
 *    p + e exactly (Dekker's product), hi - p is exact (Sterbenz: p is within 32 of hi ≥ 2^53), and the
 *    integers hi - p and lo are small (|lo| ≤ 8), so R = ((hi - p) + lo) - e is one rounding of a value
 *    that is a double: R is a multiple of 2^s and below 2·5^scale·2^s in magnitude, where gap =
 *    10^scale·ulp(q) = 5^scale·2^s, and 2·5^22 < 2^53.
 * 2. M / 10^scale = q + R / 10^scale, and |R| < 1.5·gap (lo is at most one gap, q's rounding half), so
 *    the nearest double is q + j·ulp(q) for the j in -2…2 that leaves |R - j·gap| below gap / 2; both
 *    sides of that comparison are exact doubles. Equality is a tie (round half to even), left to
 *    Number(); so is a result at a power of two (whose gap below is half the gap above) or outside q's
 *    binade.
 */

/** 10^0 … 10^22, the powers of ten that are exact doubles. */
export const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Veltkamp's splitting constant 2^27 + 1: a double times it splits into two halves of 26 bits. */
const SPLITTER = 134217729;
/** Each power of ten split once into its high and low halves, for Dekker's product. */
const TEN_HIGH = POWERS_OF_TEN.map((d) => SPLITTER * d - (SPLITTER * d - d));
const TEN_LOW = POWERS_OF_TEN.map((d, k) => d - TEN_HIGH[k]!);
const TWO_52 = 2 ** 52;
/** The bits of a double, for its exponent and fraction. */
const bits = new DataView(new ArrayBuffer(8));

/** The largest scale (digits after the point) converted here. */
export const MAX_EXACT_SCALE = 22;

/** The most digits decimalToDouble takes apart as `trailing`: a number of 16 or 17 digits splits its last 8 off. */
export const MAX_TRAILING_DIGITS = 8;

/**
 * The double nearest to (leading·10^trailingDigits + trailing) / 10^scale, or NaN when it is not
 * decided here (see the module comment). Requires whole numbers with leading < 10^9, trailingDigits ≤ MAX_TRAILING_DIGITS,
 * trailing < 10^trailingDigits and scale ≤ MAX_EXACT_SCALE: the digits are then below 10^17.
 */
export function decimalToDouble(leading: number, trailing: number, trailingDigits: number, scale: number): number {
  // Exact: leading·10^t = leading·5^t·2^t, and leading·5^t < 10^9·5^8 < 2^53.
  const shifted = leading * POWERS_OF_TEN[trailingDigits]!;
  // hi + lo = the digits exactly (Fast2Sum: shifted is 0 or larger than trailing).
  const hi = shifted + trailing;
  const lo = trailing - (hi - shifted);
  const divisor = POWERS_OF_TEN[scale]!;
  if (lo === 0) return hi / divisor;

  const q = hi / divisor;
  // Dekker's product: p + e = q·divisor exactly.
  const p = q * divisor;
  const split = SPLITTER * q;
  const qHigh = split - (split - q);
  const qLow = q - qHigh;
  const dHigh = TEN_HIGH[scale]!;
  const dLow = TEN_LOW[scale]!;
  const e = qLow * dLow - (((p - qHigh * dHigh) - qLow * dHigh) - qHigh * dLow);
  const remainder = hi - p + lo - e;

  bits.setFloat64(0, q, true);
  const high = bits.getUint32(4, true);
  const fraction = (high & 0xfffff) * 2 ** 32 + bits.getUint32(0, true);
  // ulp(q): the double of q's exponent less 52 and no fraction (q ≥ 2^53 / 10^22, far from subnormal).
  bits.setUint32(4, ((high >>> 20) - 52) << 20, true);
  bits.setUint32(0, 0, true);
  const ulp = bits.getFloat64(0, true);
  const gap = divisor * ulp;
  const half = gap / 2;
  let j = 0;
  if (remainder > half) j = remainder > 3 * half ? 2 : 1;
  else if (remainder < -half) j = remainder < -3 * half ? -2 : -1;
  const rest = remainder - j * gap;
  if (!(rest < half && rest > -half)) return NaN;
  const steps = fraction + j;
  if (steps <= 0 || steps >= TWO_52) return NaN;
  return q + j * ulp;
}
