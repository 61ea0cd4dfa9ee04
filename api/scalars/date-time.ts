/**
 * `DateTime`: an instant, ISO-8601 with microseconds in UTC (`2023-03-11T08:15:00.123456Z`); accepted
 * with any offset or none (UTC). In memory the lake's microseconds since the epoch, exact.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { formatTimestampIso, parseTimestamp } from '../../lakehouse/time.ts';

function parse(value: unknown): number {
  if (typeof value === 'string') {
    try {
      return parseTimestamp(value);
    } catch {
      // fall through to the one message
    }
  }
  throw createGraphQLError(`DateTime must be ISO-8601 like 2023-03-11T08:15:00Z (at most microseconds), got ${JSON.stringify(value)?.slice(0, 40)}`);
}

export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description: 'An instant, ISO-8601 in UTC with microseconds, e.g. 2023-03-11T08:15:00.000000Z.',
  serialize(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return formatTimestampIso(value);
    throw new TypeError(`not a timestamp: ${String(value)}`);
  },
  parseValue: parse,
  parseLiteral(ast) {
    return parse(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});
