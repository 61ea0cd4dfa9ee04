/** `Date`: a calendar day (UTC), ISO-8601 `YYYY-MM-DD`; in memory the lake's day number (days since 1970-01-01). */
import { GraphQLScalarType, Kind } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { formatDate, parseDate } from '../../lakehouse/time.ts';

function parse(value: unknown): number {
  if (typeof value === 'string') {
    try {
      return parseDate(value);
    } catch {
      // fall through to the one message
    }
  }
  throw createGraphQLError(`Date must be an ISO-8601 calendar date YYYY-MM-DD, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

export const DateScalar = new GraphQLScalarType<number, string>({
  name: 'Date',
  description: 'A calendar day in UTC, ISO-8601 YYYY-MM-DD.',
  serialize(value) {
    if (typeof value === 'number' && Number.isInteger(value)) return formatDate(value);
    throw new TypeError(`not a day number: ${String(value)}`);
  },
  parseValue: parse,
  parseLiteral(ast) {
    return parse(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});
