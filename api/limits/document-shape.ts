/**
 * The shape of a parsed document, measured before graphql-js validates it: how deep each operation
 * nests (introspection apart), which operation types it holds, and how many selections repeat a response
 * name already selected in the same selection set.
 *
 * Why before validation: graphql-js's OverlappingFieldsCanBeMerged rule compares every pair of fields
 * that share a response name, so `{ a a a … }` costs the square of its length (990 copies of one field
 * took 258 ms on this machine kind, inside the 1,000-token limit), and the depth rule that used to run
 * beside it walked a fragment again at every spread, so fragments spread twice per level cost 2^levels.
 * Here every fragment is measured once, whatever the number of its spreads: the whole walk is linear in
 * the document's size, and a document refused here never reaches the quadratic rule.
 *
 * Fragment cycles (refused by graphql's own NoFragmentCycles rule) end the walk: a fragment met again
 * while it is being measured counts as empty.
 */
import { Kind, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationTypeNode, type SelectionSetNode } from 'graphql';

export interface OperationShape {
  readonly name: string | undefined;
  readonly type: OperationTypeNode;
  /** Longest chain of ordinary fields (`{ a { b } }` is 2). */
  readonly depth: number;
  /** Longest chain through `__schema` / `__type` (0 when there is none). */
  readonly introspectionDepth: number;
}

export interface DocumentShape {
  readonly operations: readonly OperationShape[];
  /**
   * Selections, over the whole document, whose response name was already selected in the same selection
   * set (fields of spread fragments and inline fragments count as the set's own; a fragment spread twice
   * in one set counts once, as graphql-js merges it once).
   */
  readonly repeatedSelections: number;
}

/** What one selection set yields to its parent: depths below it and its response names with their counts. */
interface SetMeasure {
  depth: number;
  introspectionDepth: number;
  names: Map<string, number>;
}

const EMPTY: SetMeasure = { depth: 0, introspectionDepth: 0, names: new Map() };

const shapes = new WeakMap<DocumentNode, DocumentShape>();

/** The shape of `document`, measured once per document object (yoga's parser cache reuses them). */
export function documentShape(document: DocumentNode): DocumentShape {
  let shape = shapes.get(document);
  if (!shape) shapes.set(document, (shape = measure(document.definitions)));
  return shape;
}

function measure(definitions: readonly DefinitionNode[]): DocumentShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // Measures of fragments, ordinary and inside introspection: depth counting differs between the two.
  const measured = new Map<string, SetMeasure>();
  const inProgress = new Set<string>();
  let repeated = 0;

  const fragmentMeasure = (name: string, introspection: boolean): SetMeasure => {
    const key = `${introspection ? 'i' : 'o'}:${name}`;
    const known = measured.get(key);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(key)) return EMPTY;
    inProgress.add(key);
    const result = setMeasure(fragment.selectionSet, introspection, false);
    inProgress.delete(key);
    measured.set(key, result);
    return result;
  };

  /** `counted`: whether this set's repeats count here; a fragment's (inline or named) count in the sets it is merged into. */
  const setMeasure = (set: SelectionSetNode, introspection: boolean, counted: boolean): SetMeasure => {
    const out: SetMeasure = { depth: 0, introspectionDepth: 0, names: new Map() };
    const spread = new Set<string>();
    const add = (name: string, count: number) => out.names.set(name, (out.names.get(name) ?? 0) + count);
    const merge = (inner: SetMeasure) => {
      out.depth = Math.max(out.depth, inner.depth);
      out.introspectionDepth = Math.max(out.introspectionDepth, inner.introspectionDepth);
      for (const [name, count] of inner.names) add(name, count);
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const inIntrospection = introspection || name === '__schema' || name === '__type';
        const below = selection.selectionSet ? setMeasure(selection.selectionSet, inIntrospection, true) : EMPTY;
        if (inIntrospection) out.introspectionDepth = Math.max(out.introspectionDepth, 1 + Math.max(below.depth, below.introspectionDepth));
        else {
          out.depth = Math.max(out.depth, 1 + below.depth);
          out.introspectionDepth = Math.max(out.introspectionDepth, below.introspectionDepth === 0 ? 0 : 1 + below.introspectionDepth);
        }
        add(selection.alias?.value ?? name, 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        merge(setMeasure(selection.selectionSet, introspection, false));
      } else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        merge(fragmentMeasure(selection.name.value, introspection));
      }
    }
    // A set under a field or an operation: its merged names are what graphql-js compares pairwise.
    if (counted) for (const count of out.names.values()) repeated += count - 1;
    return out;
  };

  const operations: OperationShape[] = [];
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const { depth, introspectionDepth } = setMeasure(d.selectionSet, false, true);
    operations.push({ name: d.name?.value, type: d.operation, depth, introspectionDepth });
  }
  // Fragments nobody spreads are validated too (and refused as unused): their repeats count as well.
  for (const name of fragments.keys()) {
    if (measured.has(`o:${name}`) || measured.has(`i:${name}`)) continue;
    for (const count of fragmentMeasure(name, false).names.values()) repeated += count - 1;
  }
  return { operations, repeatedSelections: repeated };
}
