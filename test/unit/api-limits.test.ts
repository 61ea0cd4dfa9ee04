import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getIntrospectionQuery, parse } from 'graphql';
import { documentShape } from '../../api/limits/document-shape.ts';
import { queryCost } from '../../api/limits/query-cost.ts';
import { buildApiSchema } from '../../api/schema.ts';
import { signToken } from '../../api/auth/sign-token.ts';
import { LakeData } from '../../api/data/lake-data.ts';
import { createApi } from '../../api/yoga.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const schema = buildApiSchema();

function depths(text: string) {
  const { depth, introspectionDepth } = documentShape(parse(text)).operations[0]!;
  return { depth, introspectionDepth };
}

describe('document shape', () => {
  it('counts nested fields through fragments, and introspection apart', () => {
    assert.deepEqual(depths('{ me { userId } }'), { depth: 2, introspectionDepth: 0 });
    assert.equal(depths('{ me { ...V } } fragment V on UserView { workouts { edges { node { ... on WorkoutBpmSummary { avgBpm } } } } }').depth, 5);
    assert.deepEqual(depths('{ __typename pipelineStatus { path } }'), { depth: 2, introspectionDepth: 0 });
    assert.deepEqual(depths('{ __schema { types { name } } }'), { depth: 0, introspectionDepth: 3 });
    // Fragment cycles (reported by graphql's own rule) do not loop.
    assert.equal(depths('{ me { ...A } } fragment A on UserView { userId ...B } fragment B on UserView { ...A }').depth, 2);
  });

  it('lets GraphiQL introspect within the default limits: 15 levels, nothing repeated', () => {
    const shape = documentShape(parse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true })));
    assert.equal(shape.operations[0]!.introspectionDepth, 15);
    assert.equal(shape.operations[0]!.depth, 0);
    assert.equal(shape.repeatedSelections, 0);
  });

  it('counts repeated response names per selection set, fragments merged once per set', () => {
    assert.equal(documentShape(parse('{ me { userId userId userId } }')).repeatedSelections, 2);
    assert.equal(documentShape(parse('{ a: me { userId } a: me { userId } }')).repeatedSelections, 1);
    assert.equal(documentShape(parse('{ me { userId ...F ...F } } fragment F on UserView { userId }')).repeatedSelections, 1);
    assert.equal(documentShape(parse('{ me { userId } user(id: 1) { userId } }')).repeatedSelections, 0);
    // Unused fragments are validated too, so their repeats count.
    assert.equal(documentShape(parse('{ me { userId } } fragment U on UserView { userId userId }')).repeatedSelections, 1);
  });

  it('measures fragments spread twice per level in linear time', () => {
    let fragments = 'fragment F0 on Query { me { userId } }';
    for (let i = 1; i <= 200; i++) fragments += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    const started = performance.now();
    const shape = documentShape(parse(`{ ...F200 } ${fragments}`));
    assert.ok(performance.now() - started < 200, 'linear, not 2^200');
    assert.equal(shape.operations[0]!.depth, 2);
    assert.equal(shape.repeatedSelections, 0);
    const cost = queryCost(schema, parse(`{ ...F200 } ${fragments}`));
    assert.equal(cost, 1 + 5 + 1);
  });
});

describe('query cost', () => {
  const cost = (text: string, variables?: Record<string, unknown>) => queryCost(schema, parse(text), variables);

  it('multiplies a connection’s edges by the page size asked for (default 50), and nothing else', () => {
    assert.equal(cost('{ workoutBpmSummaries { totalCount } }'), 2);
    assert.equal(cost('{ workoutBpmSummaries(first: 10) { totalCount edges { node { avgBpm } } } }'), 1 + 1 + 10 * 3);
    assert.equal(cost('{ workoutBpmSummaries { edges { node { avgBpm } } } }'), 1 + 50 * 3);
    assert.equal(cost('query($n: Int) { gymSummaries(first: $n) { edges { cursor } } }', { n: 100 }), 1 + 100 * 2);
    // Page sizes beyond the limit count as the limit: the resolver then reports the page size itself.
    assert.equal(cost('{ gymSummaries(first: 100000) { edges { cursor } } }'), 1 + 500 * 2);
  });

  it('weighs aggregates and multiplies nested pages', () => {
    assert.equal(cost('{ workoutStats { workouts } }'), 1 + 2000 + 50);
    // An aggregate scans the table: about a dozen per request at most.
    assert.ok(cost(`{ ${Array.from({ length: 13 }, (_, i) => `a${i}: workoutStats { workouts }`).join(' ')} }`) > 25_000);
    assert.equal(cost('{ pipelineStatus { path version } }'), 1 + 20 + 14 * 2);
    const nested = cost('{ workoutBpmSummaries(first: 500) { edges { node { user { workouts(first: 500) { edges { node { avgBpm } } } } } } } }');
    assert.ok(nested > 25_000 * 10, String(nested));
    const page100 = cost('{ workoutBpmSummaries(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { userId workoutId sessionId ageBin gender city state minBpm avgBpm maxBpm numRecordings } } } }');
    assert.ok(page100 > 1000 && page100 < 2000, String(page100));
    assert.equal(cost('{ __schema { types { fields { name } } } }'), 0);
  });
});

describe('query cost per request', () => {
  it('is remembered per query only when no variable was read: page sizes from variables count every time', async (t) => {
    const jwt = { secret: 'unit-test-secret-0123456789-0123456789', issuer: 'fitlake', audience: 'fitlake-api' };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-cost-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const { yoga } = createApi({ data: new LakeData(new LocalObjectStore(dir)), jwt, mode: 'production', logging: false });
    const token = await signToken(jwt, { role: 'analyst' });
    const ask = async (query: string, variables: Record<string, unknown>) => {
      const response = await yoga.fetch('http://api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      return ((await response.json()) as { errors?: { extensions: { code: string } }[] }).errors?.map((e) => e.extensions.code) ?? [];
    };
    const nested = 'query($n: Int) { workoutBpmSummaries(first: $n) { edges { node { user { workouts(first: $n) { edges { node { avgBpm } } } } } } } }';
    assert.deepEqual(await ask(nested, { n: 5 }), []);
    assert.deepEqual(await ask(nested, { n: 500 }), ['QUERY_TOO_COSTLY']);
    assert.deepEqual(await ask(nested, { n: 5 }), []);
    const fixed = '{ workoutBpmSummaries(first: 500) { edges { node { user { workouts(first: 500) { edges { node { avgBpm } } } } } } } }';
    assert.deepEqual(await ask(fixed, {}), ['QUERY_TOO_COSTLY']);
    assert.deepEqual(await ask(fixed, {}), ['QUERY_TOO_COSTLY']);
  });
});
