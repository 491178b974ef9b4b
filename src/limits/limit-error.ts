import { GraphQLError, type ASTNode } from "graphql";

/** Which limit an operation broke, machine-readable: clients can tell "too deep" from "too expensive". */
export interface LimitDetails {
  name: string;
  max: number;
  actual: number;
}

/**
 * A request over one of the operation limits. Validation rules' errors reach clients as GRAPHQL_VALIDATION_FAILED
 * (Apollo Server sets that code on every validation error, whatever the rule says); the cost check, which needs
 * variables and so runs after validation, uses the same code and status so that all "operation too big" answers
 * look alike: HTTP 400, never retryable as is.
 */
export function limitError(message: string, limit: LimitDetails, nodes?: readonly ASTNode[] | ASTNode): GraphQLError {
  return new GraphQLError(message, {
    nodes,
    extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit, http: { status: 400 } },
  });
}
