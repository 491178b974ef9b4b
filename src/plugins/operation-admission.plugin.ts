import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { authorizeOperation } from "../auth/authorize-operation.js";
import { SchemaRequirements } from "../auth/schema-requirements.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { ErrorCode } from "../errors/error-codes.js";
import { aliasLimitRule } from "../limits/alias-limit.rule.js";
import { depthLimitRule } from "../limits/depth-limit.rule.js";
import { knownOperationTypeRule } from "../limits/known-operation-type.rule.js";
import { estimateOperationCost } from "../limits/operation-cost.js";
import { MAX_ALIASES, MAX_OPERATION_COST, MAX_QUERY_DEPTH } from "../limits/operation-limits.js";
import { findVariableProblem } from "../limits/variable-checks.js";
import { limitError } from "../limits/limit-error.js";
import type { BudgetStore } from "../shared-state/budget-store.js";
import { recordAdmissionCost, recordBudgetLeft } from "../observability/admission-span.js";
import { OperationAdmissionCache } from "./operation-admission-cache.js";

/** Document-only limits, for ApolloServer's `validationRules` (run once per distinct document, then cached). */
export const operationLimitRules = [depthLimitRule(MAX_QUERY_DEPTH), aliasLimitRule(MAX_ALIASES), knownOperationTypeRule];

/**
 * Admission of one operation, in didResolveOperation (after validation, before execution), in this order: who may
 * run it (401/403), what its variables hold (400), what it would cost upstream (400 over the operation limit), and
 * whether the caller's budget can pay for it (429). These need the variables or the caller, so they cannot be
 * validation rules (Apollo validates a document once and caches it). A refused operation makes no upstream call and
 * spends no budget.
 */
export function operationAdmissionPlugin(options: {
  schema: GraphQLSchema;
  maxCost?: number;
  /** Per-caller budget in estimated upstream calls; null: no budget. */
  budget?: BudgetStore | null;
  /** Told of every operation refused because its caller's budget is spent (a metric counts them). */
  onBudgetRefusal?: () => void;
}): ApolloServerPlugin<GatewayContext> {
  const maxCost = options.maxCost ?? MAX_OPERATION_COST;
  const requirements = new SchemaRequirements(options.schema);
  const cache = new OperationAdmissionCache();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema, contextValue }) {
          const { caller } = contextValue;
          if (operation) {
            const authorize = () => authorizeOperation(schema, requirements, document, operation, request.variables, caller);
            cache.authorize(operation, caller, authorize);
          }
          const problem = findVariableProblem(request.variables);
          if (problem) {
            throw new GraphQLError(`${problem.path} ${problem.problem}.`, {
              extensions: { code: ErrorCode.BAD_USER_INPUT, field: problem.path, http: { status: 400 } },
            });
          }
          if (!operation) return;
          const cost = cache.cost(operation, request.variables, () =>
            estimateOperationCost(schema, document, operation, request.variables),
          );
          if (cost > maxCost) {
            throw limitError(
              `The operation could make up to ${cost} upstream calls; at most ${maxCost} are allowed. ` +
                "Ask for smaller pages, fewer aliases or fewer customer fields.",
              { name: "MAX_OPERATION_COST", max: maxCost, actual: cost },
              operation,
            );
          }
          recordAdmissionCost(cost);
          if (options.budget && cost > 0) {
            const decision = await options.budget.spend(caller.budgetKey, cost);
            if (decision.allowed) recordBudgetLeft(decision.remaining);
            if (!decision.allowed) {
              options.onBudgetRefusal?.();
              const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
              throw new GraphQLError(
                `This caller has spent its budget of upstream calls for this minute (the operation would cost ${cost}); ` +
                  `retry in ${retryAfterSeconds} s.`,
                {
                  extensions: {
                    code: ErrorCode.RATE_LIMITED,
                    retryAfterSeconds,
                    http: { status: 429, headers: new HeaderMap([["retry-after", String(retryAfterSeconds)]]) },
                  },
                },
              );
            }
          }
        },
      };
    },
  };
}
