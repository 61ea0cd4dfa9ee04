/** The shape of a field resolver of this API (info is not used: graphql-jit builds it lazily). */
import type { ApiContext } from '../context.ts';

export type Resolver<Parent, Args, Result> = (parent: Parent, args: Args, context: ApiContext) => Result | Promise<Result>;
