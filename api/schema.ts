/** The executable schema: the SDL of schema/schema.graphql with the resolvers of api/resolvers/. */
import { readFileSync } from 'node:fs';
import { createSchema } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { ApiContext } from './context.ts';
import { resolvers } from './resolvers/index.ts';

export const SCHEMA_FILE = new URL('../schema/schema.graphql', import.meta.url);

export function buildApiSchema(): GraphQLSchema {
  return createSchema<ApiContext>({ typeDefs: readFileSync(SCHEMA_FILE, 'utf8'), resolvers });
}
