/**
 * Which GraphQL results the response cache (http-handler.ts) may keep: those of a query operation whose
 * root fields all answer from the indexed tables alone, and that finished without any error. The HTTP
 * layer puts a verdict object on the server context of a request it may cache; this plugin sets it.
 *
 * pipelineStatus is not cacheable (its freshnessSeconds moves with the clock, and it reads every table of
 * the lake); nor is a root field added later until it is listed here. Mutations and subscriptions never are.
 */
import { getOperationAST, Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Root fields whose answers depend only on the versions LakeData.versions() names (the indexed tables,
 * and workout_bpm for a workout's heartRate), the viewer and the request.
 */
export const CACHEABLE_ROOT_FIELDS: ReadonlySet<string> = new Set(['workoutBpmSummaries', 'gymSummaries', 'workoutStats', 'gymUtilisation', 'me', 'user', '__typename']);

/** Set by the HTTP layer on the server context; `cacheable` becomes true only for a storable result. */
export interface CacheVerdict {
  cacheable: boolean;
}

export interface CacheVerdictContext {
  cacheVerdict?: CacheVerdict;
}

/** Whether every root field of the operation (fragments expanded, @skip/@include ignored) is cacheable. */
export function isCacheableOperation(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return false;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  // Each fragment judged once (false while being judged: a cycle), however often it is spread.
  const judged = new Map<string, boolean>();
  const allCacheable = (set: SelectionSetNode): boolean =>
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return CACHEABLE_ROOT_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return allCacheable(selection.selectionSet);
      const name = selection.name.value;
      let ok = judged.get(name);
      if (ok === undefined) {
        const fragment = fragments.get(name);
        // An unknown or cyclic fragment fails validation; refuse rather than reason about it.
        judged.set(name, false);
        ok = fragment !== undefined && allCacheable(fragment.selectionSet);
        judged.set(name, ok);
      }
      return ok;
    });
  return allCacheable(operation.selectionSet);
}

export function useCacheVerdict(): Plugin<CacheVerdictContext> {
  // Per parsed document (yoga's parser cache hands out the same object for the same text) and operation.
  const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();
  const cacheable = (document: DocumentNode, operationName: string | null | undefined) => {
    let byName = verdicts.get(document);
    if (!byName) verdicts.set(document, (byName = new Map()));
    const name = operationName ?? '';
    let ok = byName.get(name);
    if (ok === undefined) byName.set(name, (ok = isCacheableOperation(document, operationName)));
    return ok;
  };
  return {
    onExecute({ args }) {
      const verdict = (args.contextValue as CacheVerdictContext).cacheVerdict;
      if (!verdict || !cacheable(args.document, args.operationName)) return;
      return {
        onExecuteDone({ result }) {
          // A stream (not used by this API) or any error, masked or not: never stored.
          if (!(Symbol.asyncIterator in result) && !result.errors?.length) verdict.cacheable = true;
        },
      };
    },
  };
}
