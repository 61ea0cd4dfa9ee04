/**
 * Query depth: the longest chain of nested field selections of an operation, fragments expanded
 * (`{ a { b } }` is 2). Introspection (`__schema`, `__type`) is measured on its own: its standard query
 * nests `ofType` many levels deep, and it is switched off in production anyway.
 */
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import { ErrorCode } from '../errors.ts';

export interface DepthLimits {
  /** @default 8 */
  maxDepth?: number;
  /** Depth allowed for paths through `__schema` / `__type` (the standard introspection query needs 15). @default 18 */
  maxIntrospectionDepth?: number;
}

export interface Depths {
  /** Deepest path of ordinary fields. */
  depth: number;
  /** Deepest path through an introspection field (0 when there is none). */
  introspectionDepth: number;
}

/** Depths of one selection set, fragments expanded; fragment cycles (reported by graphql's own rule) end the walk. */
export function selectionDepths(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): Depths {
  const out: Depths = { depth: 0, introspectionDepth: 0 };
  const walk = (set: SelectionSetNode, depth: number, introspection: boolean, visiting: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const inIntrospection = introspection || name === '__schema' || name === '__type';
        const here = depth + 1;
        if (inIntrospection) out.introspectionDepth = Math.max(out.introspectionDepth, here);
        else out.depth = Math.max(out.depth, here);
        if (selection.selectionSet) walk(selection.selectionSet, here, inIntrospection, visiting);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, depth, introspection, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        walk(fragment.selectionSet, depth, introspection, visiting);
        visiting.delete(name);
      }
    }
  };
  walk(selectionSet, 0, false, new Set());
  return out;
}

/** A validation rule refusing operations deeper than the limits. */
export function depthLimitRule({ maxDepth = 8, maxIntrospectionDepth = 18 }: DepthLimits = {}): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    return {
      OperationDefinition(operation) {
        const { depth, introspectionDepth } = selectionDepths(operation.selectionSet, fragments);
        const name = operation.name ? `operation '${operation.name.value}'` : 'the query';
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`${name} is nested ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [operation], extensions: { code: ErrorCode.depthLimit } }));
        }
        if (introspectionDepth > maxIntrospectionDepth) {
          context.reportError(
            new GraphQLError(`${name} nests introspection ${introspectionDepth} levels deep; the limit is ${maxIntrospectionDepth}`, { nodes: [operation], extensions: { code: ErrorCode.depthLimit } }),
          );
        }
      },
    };
  };
}
