/** The benchmarks' command-line arguments that more than one of them takes. */
import type { GeneratorOptions } from '../simulator/landing-generator.ts';

/** The whole number after `name` (underscores allowed: 10_000_000), or `fallback` when the flag is absent. */
export function numberArg(name: string, fallback: number, min = 1): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]?.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} needs a whole number of at least ${min}`);
  return value;
}

/** The text after `name`, or undefined when the flag is absent. */
export function stringArg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** What to generate: --readings (10 M), --users (200), --seed (7), --lines-per-file (1 M). */
export const generatorFromArgs = (): GeneratorOptions => ({
  readings: numberArg('--readings', 10_000_000),
  users: numberArg('--users', 200),
  seed: numberArg('--seed', 7),
  linesPerFile: numberArg('--lines-per-file', 1_000_000),
});
