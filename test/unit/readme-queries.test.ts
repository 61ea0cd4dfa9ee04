/** The GraphQL examples in the README are valid against the API's schema: the documentation cannot drift. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse, validate } from 'graphql';
import { buildApiSchema } from '../../api/schema.ts';
import { projectRoot } from '../../devstack/paths.ts';

/** Each query of the README's graphql blocks: a line starting with `{` and its continuation lines. */
function readmeQueries(): string[] {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const queries: string[] = [];
  for (const block of readme.split('```graphql').slice(1).map((b) => b.split('```')[0]!)) {
    for (const line of block.split('\n')) {
      if (line.startsWith('{')) queries.push(line);
      else if (queries.length > 0 && line.trim() && !line.trim().startsWith('#')) queries[queries.length - 1] += `\n${line}`;
    }
  }
  return queries;
}

test('every README GraphQL example parses and validates against schema/schema.graphql', () => {
  const queries = readmeQueries();
  assert.ok(queries.length >= 5, `found only ${queries.length} example queries`);
  const schema = buildApiSchema();
  for (const query of queries) assert.deepEqual(validate(schema, parse(query)).map((e) => e.message), [], query);
});
