/**
 * Production mode: no introspection, and no "Did you mean …?" hints in validation errors, which would
 * otherwise let a client rebuild the schema name by name. Every form graphql-js writes is removed: for
 * fields, arguments, types, input fields, enum values ("Did you mean the enum value …?") and fragments
 * ("Did you mean to use an inline fragment on …?"). GraphQL Armor's block-field-suggestions plugin was
 * tried and left out: its pattern (`Did you mean ".+"?`) misses the enum-value form. (`__typename`
 * stays allowed.)
 */
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean [^]*\?\s*$/;

export function useProductionHardening(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        const errors = result as readonly Error[];
        if (!errors.some((e) => SUGGESTION.test(e.message))) return;
        setResult(
          errors.map((e) => {
            if (!SUGGESTION.test(e.message)) return e;
            const message = e.message.replace(SUGGESTION, '');
            return e instanceof GraphQLError ? new GraphQLError(message, { nodes: e.nodes, extensions: e.extensions }) : new GraphQLError(message);
          }),
        );
      };
    },
  };
}
