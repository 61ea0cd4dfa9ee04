/**
 * Production mode: no introspection, and no "Did you mean …?" hints in validation errors, which would
 * otherwise let a client rebuild the schema field by field. (`__typename` stays allowed.)
 */
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean .*\?$/;

function withoutSuggestion(e: Error): Error {
  if (!SUGGESTION.test(e.message)) return e;
  const message = e.message.replace(SUGGESTION, '');
  return e instanceof GraphQLError ? new GraphQLError(message, { nodes: e.nodes, extensions: e.extensions }) : new GraphQLError(message);
}

export function useProductionHardening(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        const errors = result as readonly Error[];
        if (errors.some((e) => SUGGESTION.test(e.message))) setResult(errors.map(withoutSuggestion));
      };
    },
  };
}
