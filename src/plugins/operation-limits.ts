import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors.js";
import {
  aliasLimitRule,
  depthLimitRule,
  estimateOperationCost,
  findVariableProblem,
  knownOperationTypeRule,
  MAX_ALIASES,
  MAX_OPERATION_COST,
  MAX_QUERY_DEPTH,
} from "../limits/index.js";
import { limitError } from "../limits/limit-error.js";

/** Document-only limits, for ApolloServer's `validationRules` (run once per distinct document, then cached). */
export const operationLimitRules = [depthLimitRule(MAX_QUERY_DEPTH), aliasLimitRule(MAX_ALIASES), knownOperationTypeRule];

/**
 * Limits that need the variables, so they cannot be validation rules (Apollo validates a document once and
 * caches it, whatever the variables): the upstream-call cost estimate and the variable checks. Both run in
 * didResolveOperation, after validation and before execution: a refused operation makes no upstream call.
 */
export function operationLimitsPlugin<TContext extends BaseContext>(options: { maxCost?: number } = {}): ApolloServerPlugin<TContext> {
  const maxCost = options.maxCost ?? MAX_OPERATION_COST;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          const problem = findVariableProblem(request.variables);
          if (problem) {
            throw new GraphQLError(`${problem.path} ${problem.problem}.`, {
              extensions: { code: ErrorCode.BAD_USER_INPUT, field: problem.path, http: { status: 400 } },
            });
          }
          if (!operation) return;
          const cost = estimateOperationCost(schema, document, operation, request.variables);
          if (cost > maxCost) {
            throw limitError(
              `The operation could make up to ${cost} upstream calls; at most ${maxCost} are allowed. Ask for smaller pages, fewer aliases or fewer customer fields.`,
              { name: "MAX_OPERATION_COST", max: maxCost, actual: cost },
              operation,
            );
          }
        },
      };
    },
  };
}
