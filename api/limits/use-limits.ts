/**
 * The envelop plugin bounding what one request may ask for: depth (a validation rule, so yoga's
 * validation cache remembers the verdict per query text) and cost (at execution, because the page sizes
 * may come from variables).
 */
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
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = queryCost(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName, { maxPageSize });
      if (cost > maxCost) {
        setResultAndStopExecution({ errors: [apiError(`the query's estimated cost is ${cost}; the limit is ${maxCost}: ask for smaller pages or fewer nested lists`, ErrorCode.costLimit)] });
      }
    },
  };
}
