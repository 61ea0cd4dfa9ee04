/**
 * Query.quarantine: quarantined records by reason with examples, for analysts only. A user token gets
 * FORBIDDEN rather than an empty list: an empty list would read as "nothing was quarantined", and the
 * records themselves (raw payloads of any device) are never a user's to see.
 */
import { MAX_QUARANTINE_EXAMPLES, type QuarantineGroup } from '../../data/quarantine-summary.ts';
import { badUserInput, forbidden } from '../../errors.ts';
import type { Resolver } from '../types.ts';

interface QuarantineAnswer {
  total: number;
  reasonCount: number;
  reasons: readonly QuarantineGroup[];
}

export const quarantine: Resolver<unknown, { examplesPerReason?: number | null }, QuarantineAnswer> = async (_, args, ctx) => {
  if (ctx.viewer.role !== 'analyst') throw forbidden('quarantine is for analyst tokens: quarantined records can hold any user\'s data');
  const examples = args.examplesPerReason ?? 3;
  if (!Number.isInteger(examples) || examples < 0 || examples > MAX_QUARANTINE_EXAMPLES) throw badUserInput(`examplesPerReason must be 0..${MAX_QUARANTINE_EXAMPLES}, got ${examples}`);
  const summary = await ctx.data.quarantineSummary();
  return {
    total: summary.total,
    reasonCount: summary.groupCount,
    reasons: summary.groups.map((g) => ({ ...g, examples: g.examples.slice(0, examples) })),
  };
};
