/**
 * Query cost: an estimate of the work an operation asks for, computed before it runs, from the schema's
 * cost directives (after the IBM GraphQL cost specification, simplified):
 *
 * - every selected field costs 1 plus its `@cost(weight:)` (an aggregate, a scan of the whole table,
 *   weighs 2,000: about a dozen per request);
 * - `@listSize(slicingArgument: "first", sizedFields: ["edges"])` on a connection multiplies the cost of
 *   its `edges` by the page size asked for (variables included; the field's default when absent),
 *   capped at the page-size limit so that an oversized page gets the resolver's clear page-size error;
 * - `@listSize(assumedSize: n)` multiplies a list field's selection by n.
 *
 * So a page of 100 summaries with every field costs about 1,400, one of 500 about 7,000, and a page of
 * pages (`workoutBpmSummaries(first: 500) { … node { user { workouts(first: 500) … } } }`) about 750,000.
 * Introspection fields cost nothing here; the depth rule bounds them. Each fragment is costed once per
 * connection it is spread in, so fragments spread many times cost linear time, not exponential.
 */
import {
  getNamedType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

interface FieldCost {
  weight: number;
  assumedSize: number | undefined;
  slicingArgument: string | undefined;
  sizedFields: readonly string[] | undefined;
}

const fieldCosts = new WeakMap<GraphQLField<unknown, unknown>, FieldCost>();

function intArg(directive: ConstDirectiveNode | undefined, name: string): number | undefined {
  const arg = directive?.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.INT ? Number(arg.value.value) : undefined;
}

function stringArg(directive: ConstDirectiveNode | undefined, name: string): string | undefined {
  const arg = directive?.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.STRING ? arg.value.value : undefined;
}

function costOf(field: GraphQLField<unknown, unknown>): FieldCost {
  let cost = fieldCosts.get(field);
  if (!cost) {
    const directives = field.astNode?.directives ?? [];
    const costDirective = directives.find((d) => d.name.value === 'cost');
    const listSize = directives.find((d) => d.name.value === 'listSize');
    const sized = listSize?.arguments?.find((a) => a.name.value === 'sizedFields')?.value;
    cost = {
      weight: intArg(costDirective, 'weight') ?? 0,
      assumedSize: intArg(listSize, 'assumedSize'),
      slicingArgument: stringArg(listSize, 'slicingArgument'),
      sizedFields: sized?.kind === Kind.LIST ? sized.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : undefined,
    };
    fieldCosts.set(field, cost);
  }
  return cost;
}

/** The integer an argument has in this request: literal, variable, or the field's default. */
function sliceSize(field: GraphQLField<unknown, unknown>, argument: string, nodeArgs: readonly { name: { value: string }; value: ValueNode }[] | undefined, variables: Readonly<Record<string, unknown>>): number {
  const node = nodeArgs?.find((a) => a.name.value === argument)?.value;
  let value: unknown;
  if (node?.kind === Kind.INT) value = Number(node.value);
  else if (node?.kind === Kind.VARIABLE) value = variables[node.name.value];
  if (value === undefined || value === null) value = field.args.find((a) => a.name === argument)?.defaultValue;
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : 0;
}

export interface CostOptions {
  /** The largest page a slicing argument may ask for; larger values count as this. @default 500 */
  maxPageSize?: number;
}

/** Estimated cost of the operation (the one named, or the only one) with these variables. */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> = {},
  operationName?: string | null,
  { maxPageSize = 500 }: CostOptions = {},
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) operation ??= d;
  }
  if (!operation) return 0;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;

  const fragmentCosts = new Map<string, number>();
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, sized: { fields: readonly string[] | undefined; size: number } | undefined, visiting: Set<string>): number => {
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    let total = 0;
    // Execution merges a fragment spread twice into one selection set once: so does the cost.
    const spread = new Set<string>();
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type) total += walk(selection.selectionSet, type, sized, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type || visiting.has(fragment.name.value) || spread.has(fragment.name.value)) continue;
        spread.add(fragment.name.value);
        // A fragment's cost depends only on the connection it sits in: computed once per such context.
        const key = `${fragment.name.value}\n${sized ? `${sized.size}:${sized.fields?.join(',') ?? '*'}` : ''}`;
        let cost = fragmentCosts.get(key);
        if (cost === undefined) {
          visiting.add(fragment.name.value);
          cost = walk(fragment.selectionSet, type, sized, visiting);
          visiting.delete(fragment.name.value);
          fragmentCosts.set(key, cost);
        }
        total += cost;
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field = parent.getFields()[name];
      if (!field) continue; // unknown fields fail validation anyway
      const cost = costOf(field);
      // This field is one of its parent connection's sized fields: it stands for `size` items.
      const multiplier = sized && (sized.fields === undefined || sized.fields.includes(name)) ? sized.size : 1;
      let own = 1 + cost.weight;
      if (selection.selectionSet) {
        const type = getNamedType(field.type);
        const childSized = cost.slicingArgument
          ? { fields: cost.sizedFields, size: Math.min(maxPageSize, sliceSize(field, cost.slicingArgument, selection.arguments, variables)) }
          : undefined;
        const children = walk(selection.selectionSet, type, childSized, visiting);
        own += children * (cost.assumedSize ?? 1);
      }
      total += own * multiplier;
    }
    return total;
  };
  return walk(operation.selectionSet, root, undefined, new Set());
}
