/**
 * A small seeded pseudo-random generator of our own: xoshiro128** (four 32-bit words of state), seeded
 * through splitmix32 so that nearby seeds give unrelated streams. Not cryptographic; it only has to be
 * fast, well mixed and identical on every machine, so that one seed always gives the same data set.
 *
 * Streams are forked by label (`fork('user:3')`), and a fork depends only on its parent's key and the
 * label, never on how many numbers the parent has drawn: adding a draw in one part of the simulator does
 * not shift the numbers of another part.
 */

/** splitmix32 step: a well-mixed 32-bit value from any 32-bit input. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a hash of a label: the part of a fork's key that names it. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const TWO_32 = 2 ** 32;

/** A deterministic stream of pseudo-random numbers; see the module comment. */
export class Prng {
  /** The 32-bit key this stream was made from; forks derive theirs from it. */
  readonly key: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  /** A stream for a seed: any non-negative safe integer (all 53 bits count). */
  static fromSeed(seed: number): Prng {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    return new Prng(mix32(mix32(seed >>> 0) ^ Math.floor(seed / TWO_32)));
  }

  private constructor(key: number) {
    this.key = key >>> 0;
    // Four splitmix32 outputs fill the state; xoshiro only needs it not to be all zero, which the
    // fallback word guarantees.
    this.s0 = mix32(this.key);
    this.s1 = mix32(this.s0 ^ 0x6a09e667);
    this.s2 = mix32(this.s1 ^ 0xbb67ae85);
    this.s3 = mix32(this.s2 ^ 0x3c6ef372) || 0x1234567;
  }

  /** An independent stream named by `label`; the same parent key and label always give the same stream. */
  fork(label: string): Prng {
    return new Prng(mix32(this.key ^ hashLabel(label)));
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.uint32() / TWO_32;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** A float in [min, max). */
  range(min: number, max: number): number {
    return min + this.float() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One of the items, uniformly; the list must not be empty. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A standard normal deviate (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    // 1 - float() is in (0, 1]: the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.float()));
    const theta = 2 * Math.PI * this.float();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
