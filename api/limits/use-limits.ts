/**
 * The envelop plugin bounding what one request may ask for: depth (a validation rule, so yoga's
 * validation cache remembers the verdict per query text) and cost (at execution, because the page sizes
 * may come from variables; remembered per parsed document and operation when no variable was read).
 */
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { apiError, ErrorCode } from '../errors.ts';
import { queryCost } from './query-cost.ts';
import { depthLimitRule, type DepthLimits } from './query-depth.ts';

export interface QueryLimits extends DepthLimits {
  /** @default 25_000 (see query-cost.ts for what a query costs) */
  maxCost?: number;
  /** @default 500 */
  maxPageSize?: number;
}

export const DEFAULT_LIMITS = { maxDepth: 8, maxIntrospectionDepth: 18, maxCost: 25_000, maxPageSize: 500 } as const satisfies Required<QueryLimits>;

export function useQueryLimits(limits: QueryLimits = {}): Plugin {
  const { maxCost, maxPageSize, ...depth } = { ...DEFAULT_LIMITS, ...limits };
  const rule = depthLimitRule(depth);
  // yoga's parser cache hands out the same DocumentNode for the same query text: one entry per distinct
  // query, gone with the document. A cost that read a variable depends on it and is not kept.
  const fixedCosts = new WeakMap<DocumentNode, Map<string, number>>();
  const costOf = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName: string | null | undefined): number => {
    const name = operationName ?? '';
    const known = fixedCosts.get(document)?.get(name);
    if (known !== undefined) return known;
    let readVariables = false;
    const watched = new Proxy(variables, {
      get(target, key) {
        readVariables = true;
        return Reflect.get(target, key) as unknown;
      },
    });
    const cost = queryCost(schema, document, watched, operationName, { maxPageSize });
    if (!readVariables) {
      let byName = fixedCosts.get(document);
      if (!byName) fixedCosts.set(document, (byName = new Map()));
      byName.set(name, cost);
    }
    return cost;
  };
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = costOf(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName);
      if (cost > maxCost) {
        setResultAndStopExecution({ errors: [apiError(`the query's estimated cost is ${cost}; the limit is ${maxCost}: ask for smaller pages or fewer nested lists`, ErrorCode.costLimit)] });
      }
    },
  };
}
