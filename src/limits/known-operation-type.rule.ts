import type { ASTVisitor, ValidationContext } from "graphql";
import { unsupportedOperationType } from "../errors/graphql-errors.js";

/**
 * Refuses an operation whose root type the schema lacks (here: any `subscription`). graphql 16 validates such a
 * document and then fails at execution with a code-less error, which reads as INTERNAL_SERVER_ERROR (masked in
 * production) although the client is at fault; graphql 17 has this rule as KnownOperationTypesRule.
 */
export function knownOperationTypeRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (!context.getSchema().getRootType(operation.operation)) {
        context.reportError(unsupportedOperationType(operation));
      }
    },
  };
}
