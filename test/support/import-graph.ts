/**
 * The project's own import graph, read from its sources (type-only imports included), and the layer
 * plan of ../shared/docs/ARCHITECTURE.md as data: the layer test checks that every import points down
 * the plan and that no files import each other in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The layers, top to bottom; an import may point to its own layer or to one below it. */
export const LAYERS: readonly (readonly string[])[] = [
  ['test/'],
  // The dashboard's browser code: a client of the GraphQL API, bundled for the browser (SELF_CONTAINED).
  ['dashboard/'],
  ['bin/', 'scripts/', 'bench/'],
  ['cli/'],
  ['api/', 'workers/'],
  ['config/'],
  ['devstack/'],
  ['workflows/'],
  ['activities/'],
  ['simulator/'],
  ['lakehouse/sources/'],
  ['lakehouse/steps/'],
  ['lakehouse/threads/'],
  // CPU work over bytes that the threads run (and the steps, in-thread): parsing files, joining readings.
  ['lakehouse/kernels/'],
  ['lakehouse/parse/'],
  ['lakehouse/table/'],
  ['lakehouse/storage/'],
  // lakehouse/errors.ts, time.ts, calendar.ts, fault-points.ts and the rules of the spec (rules/):
  // leaves every lakehouse layer shares.
  ['lakehouse/', 'lakehouse/rules/'],
  ['schema/'],
];

/** Folders of one layer that must not import each other (peers, not a stack). */
const PEERS_APART: readonly (readonly [string, string])[] = [
  ['api/', 'workers/'],
  ['bench/', 'test/'],
];

/**
 * Folders that import nothing of the rest and that nothing else imports: the dashboard runs in a browser
 * and reads the API over HTTP only, so what a token may see is decided by the API alone.
 */
const SELF_CONTAINED: readonly string[] = ['dashboard/'];

const SOURCE_ROOTS = ['test', 'dashboard', 'bin', 'scripts', 'bench', 'cli', 'api', 'workers', 'config', 'devstack', 'workflows', 'activities', 'simulator', 'lakehouse', 'schema'];

export interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(root: string): string[] {
  const files: string[] = [];
  for (const dir of SOURCE_ROOTS) {
    let entries: string[];
    try {
      entries = readdirSync(path.join(root, dir), { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (/\.(ts|js|mts)$/.test(entry) && !entry.endsWith('.d.ts')) files.push(path.posix.join(dir, entry.split(path.sep).join('/')));
    }
  }
  return files.sort();
}

/** Every relative import of every source file, resolved to the file it names. */
export function importEdges(root: string): ImportEdge[] {
  const files = new Set(sourceFiles(root));
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const text = readFileSync(path.join(root, from), 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), fileName));
      const resolved = [to, to.replace(/\.js$/, '.ts'), `${to}.ts`, `${to}/index.ts`].find((candidate) => files.has(candidate));
      if (resolved) edges.push({ from, to: resolved });
    }
  }
  return edges;
}

/** The layer a file belongs to: the index in LAYERS of the longest folder prefix that matches it. */
export function layerOf(file: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((folders, index) => {
    for (const folder of folders) {
      if (file.startsWith(folder) && folder.length > bestLength) {
        best = index;
        bestLength = folder.length;
      }
    }
  });
  return best;
}

function folderOf(file: string): string | undefined {
  let best: string | undefined;
  for (const folders of LAYERS) for (const folder of folders) if (file.startsWith(folder) && folder.length > (best?.length ?? -1)) best = folder;
  return best;
}

/** Imports that point up the plan, or across peers kept apart. */
export function upwardImports(edges: readonly ImportEdge[]): ImportEdge[] {
  return edges.filter(({ from, to }) => {
    if (layerOf(to) < layerOf(from)) return true;
    if (SELF_CONTAINED.some((folder) => from.startsWith(folder) !== to.startsWith(folder))) return true;
    const pair = [folderOf(from), folderOf(to)];
    return PEERS_APART.some(([a, b]) => (pair[0] === a && pair[1] === b) || (pair[0] === b && pair[1] === a));
  });
}

/** Groups of files that import each other in a circle (strongly connected components of two or more). */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    next.get(from)!.push(to);
  }
  // Tarjan's algorithm, iterative so a deep chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; child: number }[] = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) circles.push(component.sort());
      }
    }
  }
  return circles;
}
