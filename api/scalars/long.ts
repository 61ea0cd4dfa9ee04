/**
 * `Long`: a 64-bit id (user_id, workout_id, gym …). Serialized as a decimal string so that no client
 * (JavaScript above all) rounds it; accepted as a string or an integer. The lake holds longs as safe
 * integers (schema/types.ts), so anything beyond ±2^53 is refused rather than rounded.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

function parse(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim())) {
    const n = Number(value.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  throw createGraphQLError(`Long must be an integer (as a number or a decimal string) between -(2^53-1) and 2^53-1, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

export const LongScalar = new GraphQLScalarType<number, string>({
  name: 'Long',
  description: 'A 64-bit integer id, serialized as a decimal string so that no client loses precision; accepted as a string or an integer.',
  serialize(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    throw new TypeError(`not a Long: ${String(value)}`);
  },
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return parse(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
    throw createGraphQLError('Long must be an integer or a decimal string');
  },
});
