/**
 * The layer plan of ../shared/docs/ARCHITECTURE.md, kept by the code's own imports (type imports
 * included): every import points down the plan (test/support/import-graph.ts lists the layers) and no
 * files import each other in a circle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectRoot } from '../../devstack/paths.ts';
import { importCircles, importEdges, layerOf, upwardImports, type ImportEdge } from '../support/import-graph.ts';

const edges = importEdges(projectRoot);

test('the checker finds what it is for: an import up the plan, between kept-apart peers, out of the self-contained dashboard, and a circle', () => {
  const made: ImportEdge[] = [
    { from: 'lakehouse/table/log/snapshot.ts', to: 'lakehouse/steps/lake.ts' },
    { from: 'api/yoga.ts', to: 'workers/pipeline-worker.ts' },
    { from: 'cli/a.ts', to: 'cli/b.ts' },
    { from: 'cli/b.ts', to: 'cli/c.ts' },
    { from: 'cli/c.ts', to: 'cli/a.ts' },
    { from: 'cli/a.ts', to: 'schema/tables.ts' },
    { from: 'dashboard/main.ts', to: 'api/errors.ts' },
    { from: 'dashboard/main.ts', to: 'dashboard/dom.ts' },
  ];
  assert.deepEqual(upwardImports(made), [...made.slice(0, 2), made[6]]);
  assert.deepEqual(importCircles(made), [['cli/a.ts', 'cli/b.ts', 'cli/c.ts']]);
});

test('the import graph is read: every source file of the plan is placed in a layer', () => {
  assert.ok(edges.length > 1000, `${edges.length} imports`);
  const unplaced = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((file) => layerOf(file) < 0);
  assert.deepEqual(unplaced, []);
});

test('every import points down the layer plan', () => {
  assert.deepEqual(
    upwardImports(edges).map((e) => `${e.from} -> ${e.to}`),
    [],
  );
});

test('no import circles, type imports included', () => {
  assert.deepEqual(importCircles(edges), []);
});
