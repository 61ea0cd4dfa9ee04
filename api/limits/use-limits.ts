/**
 * The envelop plugins bounding what one request may ask for, cheapest first, each before the work it
 * protects:
 *
 * 1. parsing: the query text's length and its number of tokens (GraphQL Armor's character-limit and
 *    max-tokens: the lexer stops at the limit, so an oversized document is never built);
 * 2. before graphql-js validates: the document's shape (document-shape.ts: queries only, depth, repeated
 *    selections), measured in one linear walk, so a document refused here never reaches graphql-js's
 *    quadratic overlapping-fields rule;
 * 3. during validation: aliases and directives (GraphQL Armor's max-aliases and max-directives), and
 *    at most 10 errors before graphql-js stops;
 * 4. at execution: the estimated cost (query-cost.ts), because page sizes may come from variables;
 *    remembered per parsed document and operation when no variable was read.
 *
 * Verdicts of 1-3 are remembered with the document by yoga's parser and validation caches.
 */
import { characterLimitPlugin } from '@escape.tech/graphql-armor-character-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { apiError, ErrorCode } from '../errors.ts';
import { documentShape } from './document-shape.ts';
import { queryCost } from './query-cost.ts';

export interface QueryLimits {
  /** Characters of query text. @default 16_000 */
  maxQueryLength?: number;
  /** Tokens of the query text (names, punctuation, values; GraphiQL's introspection query has 190). @default 1_000 */
  maxTokens?: number;
  /** Longest chain of nested fields, fragments expanded. @default 8 */
  maxDepth?: number;
  /** Depth allowed through `__schema` / `__type` (the standard introspection query needs 15). @default 18 */
  maxIntrospectionDepth?: number;
  /** Selections repeating a response name already selected in their selection set. @default 50 */
  maxRepeatedSelections?: number;
  /** Validation errors reported before graphql-js stops validating (each unknown field costs a search for suggestions). @default 10 */
  maxValidationErrors?: number;
  /** Aliased fields (`__typename` aliases included). @default 30 */
  maxAliases?: number;
  /** @default 20 */
  maxDirectives?: number;
  /** @default 25_000 (see query-cost.ts for what a query costs) */
  maxCost?: number;
  /** @default 500 */
  maxPageSize?: number;
}

export const DEFAULT_LIMITS = {
  maxQueryLength: 16_000,
  maxTokens: 1_000,
  maxDepth: 8,
  maxIntrospectionDepth: 18,
  maxRepeatedSelections: 50,
  maxValidationErrors: 10,
  maxAliases: 30,
  maxDirectives: 20,
  maxCost: 25_000,
  maxPageSize: 500,
} as const satisfies Required<QueryLimits>;

/** Set by the HTTP layer on the server context: the estimated cost of the operation if it ran (else left as it was), for its rate limit. */
export interface QueryCostContext {
  queryCost?: { value: number };
}

/**
 * A client mistake answered with HTTP 400 whatever the Accept header: yoga answers validation errors
 * with 200 to application/json clients unless `spec` is false.
 */
const badRequest = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400, spec: false } } });

/** The errors of a document's shape under the limits: empty when it may go on to validation. */
function shapeErrors(document: DocumentNode, limits: Required<QueryLimits>): GraphQLError[] {
  const shape = documentShape(document);
  const errors: GraphQLError[] = [];
  for (const operation of shape.operations) {
    const name = operation.name ? `operation '${operation.name}'` : 'the query';
    if (operation.type !== 'query') errors.push(badRequest(`${name} is a ${operation.type}: this API serves queries only`, ErrorCode.operationNotSupported));
    if (operation.depth > limits.maxDepth) errors.push(apiError(`${name} is nested ${operation.depth} levels deep; the limit is ${limits.maxDepth}`, ErrorCode.depthLimit));
    if (operation.introspectionDepth > limits.maxIntrospectionDepth) {
      errors.push(apiError(`${name} nests introspection ${operation.introspectionDepth} levels deep; the limit is ${limits.maxIntrospectionDepth}`, ErrorCode.depthLimit));
    }
  }
  if (shape.repeatedSelections > limits.maxRepeatedSelections) {
    errors.push(apiError(`the document selects ${shape.repeatedSelections} fields again that its selection sets already hold; the limit is ${limits.maxRepeatedSelections}`, ErrorCode.repeatedSelections));
  }
  return errors;
}

export function useQueryLimits(options: QueryLimits = {}): Plugin[] {
  const limits: Required<QueryLimits> = { ...DEFAULT_LIMITS, ...options };
  const { maxCost, maxPageSize } = limits;
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
  const shapeAndCost: Plugin = {
    onValidate({ params, setResult, setValidationFn }) {
      const errors = shapeErrors(params.documentAST, limits);
      // A result set here skips graphql-js's validation altogether.
      if (errors.length > 0) setResult(errors);
      // 990 unknown fields took 60 ms of validation, most of it looking for names to suggest.
      else setValidationFn((schema, documentAST, rules) => validate(schema, documentAST, rules, { maxErrors: limits.maxValidationErrors }));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = costOf(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName);
      if (cost > maxCost) {
        setResultAndStopExecution({ errors: [apiError(`the query's estimated cost is ${cost}; the limit is ${maxCost}: ask for smaller pages or fewer nested lists`, ErrorCode.costLimit)] });
        return;
      }
      // Only what runs is charged to the client's rate limit.
      const slot = (args.contextValue as QueryCostContext).queryCost;
      if (slot) slot.value = cost;
    },
  };
  return [
    // max-tokens replaces the parse function; character-limit wraps the one it is handed, so it runs first.
    maxTokensPlugin({ n: limits.maxTokens }),
    characterLimitPlugin({ maxLength: limits.maxQueryLength }),
    shapeAndCost,
    // No allow-list: 40,000 aliases of __typename were the heap-exhaustion probe of issue 15.
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [] }),
    maxDirectivesPlugin({ n: limits.maxDirectives }),
  ];
}
