/** The `first` argument of connections: default 50, at most 500; anything else is a clear BAD_USER_INPUT. */
import { badUserInput } from '../errors.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 0) throw badUserInput(`first must be a whole number from 0 to ${max}, got ${first}`);
  if (first > max) throw badUserInput(`first is ${first}, but a page holds at most ${max} rows: page through the rest with after: pageInfo.endCursor`);
  return first;
}
