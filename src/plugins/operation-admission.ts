import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import { authorizationPlan, authorizeOperation, type AuthorizationPlan } from "../auth/authorize-operation.js";
import type { Caller } from "../auth/caller.js";
import { SchemaRequirements } from "../auth/schema-requirements.js";
import { errorCodeOf } from "../errors/error-codes.js";
import { badVariables, callerBudgetSpent, limitError } from "../errors/graphql-errors.js";
import { aliasLimitRule } from "../limits/alias-limit.rule.js";
import { depthLimitRule } from "../limits/depth-limit.rule.js";
import { documentNesting } from "../limits/document-nesting.js";
import { knownOperationTypeRule } from "../limits/known-operation-type.rule.js";
import { estimateOperationCost } from "../limits/operation-cost.js";
import { MAX_ALIASES, MAX_DOCUMENT_NESTING, MAX_OPERATION_COST, MAX_QUERY_DEPTH, MAX_QUERY_TOKENS } from "../limits/operation-limits.js";
import { findVariableProblem } from "../limits/variable-checks.js";
import type { BudgetStore } from "../shared-state/budget-store.js";
import { recordAdmissionCost, recordBudgetLeft, traceAdmission } from "../observability/admission-span.js";
import type { Refusal } from "../observability/refusal-log.js";
import { OperationAdmissionCache } from "./operation-admission-cache.js";
import { secondsToWait } from "../lib/wait-seconds.js";

/*
 * Admission of an operation: everything that decides whether it may run, in this order. A refused operation makes no
 * upstream call and spends no budget. Both execution paths run it: Apollo Server (operation-admission.plugin.ts, an
 * adapter) and the trusted documents' fast path (src/execution/trusted-execution.ts).
 *
 * Per document (its text alone decides; once per distinct document: Apollo caches parsed and validated documents,
 * trusted documents are checked when the gateway starts):
 *   1. bracket nesting, before parsing (documentNestingProblem; the HTTP handler, as graphql-js's parser recurses);
 *   2. lexical tokens, while parsing (DOCUMENT_PARSE_OPTIONS);
 *   3. depth, aliases and known operation types, as validation rules (DOCUMENT_VALIDATION_RULES).
 *   Then, once per operation (OperationAdmission.prepare: at start for trusted documents), what it asks of its
 *   caller: the scopes, `@authenticated` and member-naming fields its selections reach (authorizationPlan).
 * Per request (OperationAdmission.admit):
 *   4. authentication: who is calling, from the request's context (its factory refuses with 401 before anything
 *      else, src/request-context/context-factory.ts);
 *   5. authorization: `@authenticated` (401), `@requiresScopes` (403) and the caller's member rules (403);
 *   6. variables no input can hold (400);
 *   7. the cost estimate against GRAPHQL_MAX_COST (400);
 *   8. an answer kept whole for exactly this request (a query, its variables, tenant and caller rights:
 *      src/plugins/kept-answers.ts): served as it is, without execution, so without an upstream call to pay for;
 *   9. the caller's budget of upstream calls for this minute (429).
 * During execution, per field, before its upstream call (they need resolved arguments or parents):
 *  10. argument checks (check-input.ts, in resolvers), `_entities` representations (schema.ts), and personal-data
 *      scopes on nullable leaves (enforce-field-scopes.ts: null with FORBIDDEN at its path, the rest stands).
 */

/** Step 2: graphql-js stops parsing past this many tokens. */
export const DOCUMENT_PARSE_OPTIONS = { maxTokens: MAX_QUERY_TOKENS } as const;

/** Step 3: document-only limits, as validation rules. */
export const DOCUMENT_VALIDATION_RULES = [depthLimitRule(MAX_QUERY_DEPTH), aliasLimitRule(MAX_ALIASES), knownOperationTypeRule];

/** Step 1: the limit a document's text breaks before it may be parsed, or null. */
export function documentNestingProblem(query: string): { name: "MAX_DOCUMENT_NESTING"; max: number; actual: number } | null {
  const nesting = documentNesting(query, MAX_DOCUMENT_NESTING);
  return nesting > MAX_DOCUMENT_NESTING ? { name: "MAX_DOCUMENT_NESTING", max: MAX_DOCUMENT_NESTING, actual: nesting } : null;
}

export interface OperationAdmissionOptions {
  schema: GraphQLSchema;
  maxCost?: number;
  /** Per-caller budget in estimated upstream calls; null: no budget. */
  budget?: BudgetStore | null;
  /** Told of every operation refused because its caller's budget is spent (a metric counts them). */
  onBudgetRefusal?: () => void;
  /** Told of every refused operation, by status and code (observability/refusal-log.ts). */
  onRefusal?: (refusal: Refusal) => void;
}

/** Steps 5 to 9, for one validated operation and its caller. Answers repeated operations from its cache. */
export class OperationAdmission {
  private readonly maxCost: number;
  private readonly requirements: SchemaRequirements;
  private readonly cache = new OperationAdmissionCache();
  /** What each operation asks of its caller (document-only): Apollo's parsed documents and the trusted ones. */
  private readonly plans = new WeakMap<OperationDefinitionNode, AuthorizationPlan>();

  constructor(private readonly options: OperationAdmissionOptions) {
    this.maxCost = options.maxCost ?? MAX_OPERATION_COST;
    this.requirements = new SchemaRequirements(options.schema);
  }

  /**
   * The work on an operation that depends on its document alone, done now: the fast path prepares every trusted
   * document at start; Apollo's operations are prepared on their first request.
   */
  prepare(document: DocumentNode, operation: OperationDefinitionNode): AuthorizationPlan {
    let plan = this.plans.get(operation);
    if (!plan) this.plans.set(operation, (plan = authorizationPlan(this.options.schema, this.requirements, document, operation)));
    return plan;
  }

  /**
   * Resolves when the operation may run; otherwise throws the GraphQLError that refuses it (its `extensions.http`
   * carries the status). `operation` is undefined when the document names no operation the request asked for: then
   * only the variables are checked, and execution answers the rest. `keptAnswer` (step 8) resolves true when a kept
   * answer will serve the request: the budget is then left alone, as nothing will be spent upstream.
   */
  async admit(
    document: DocumentNode,
    operation: OperationDefinitionNode | undefined,
    variables: Record<string, unknown> | undefined,
    caller: Caller,
    keptAnswer?: () => Promise<boolean>,
  ): Promise<void> {
    // Inside the admission span when tracing is on (a no-op wrapper otherwise): both paths trace it alike.
    const decision = traceAdmission(caller, () => this.decide(document, operation, variables, caller, keptAnswer));
    const { onRefusal } = this.options;
    if (!onRefusal) return decision;
    return decision.catch((error: unknown) => {
      // Its status and code only: the messages of these refusals may quote a variable (a member id).
      const extensions = (error as GraphQLError).extensions;
      const status = (extensions?.http as { status?: number } | undefined)?.status;
      if (status !== undefined) onRefusal({ status, code: errorCodeOf(error) });
      throw error;
    });
  }

  private async decide(
    document: DocumentNode,
    operation: OperationDefinitionNode | undefined,
    variables: Record<string, unknown> | undefined,
    caller: Caller,
    keptAnswer: (() => Promise<boolean>) | undefined,
  ): Promise<void> {
    const { schema } = this.options;
    if (operation) {
      const plan = this.prepare(document, operation);
      this.cache.authorize(operation, caller, () => authorizeOperation(plan, variables, caller));
    }
    const problem = findVariableProblem(variables);
    if (problem) throw badVariables(problem.path, problem.problem);
    if (!operation) return;
    const cost = this.cache.cost(operation, variables, () => estimateOperationCost(schema, document, operation, variables));
    if (cost > this.maxCost) {
      throw limitError(
        `The operation could make up to ${cost} upstream calls; at most ${this.maxCost} are allowed. ` +
          "Ask for smaller pages, fewer aliases or fewer customer fields.",
        { name: "MAX_OPERATION_COST", max: this.maxCost, actual: cost },
        operation,
      );
    }
    recordAdmissionCost(cost);
    if (keptAnswer && (await keptAnswer())) return;
    const { budget } = this.options;
    if (budget && cost > 0) {
      const decision = await budget.spend(caller.budgetKey, cost);
      if (!decision.allowed) {
        this.options.onBudgetRefusal?.();
        throw callerBudgetSpent(cost, secondsToWait(decision.retryAfterMs));
      }
      recordBudgetLeft(decision.remaining);
    }
  }
}
