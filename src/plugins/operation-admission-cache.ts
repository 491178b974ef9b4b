import type { OperationDefinitionNode } from "graphql";
import { callerRights, type Caller } from "../auth/caller.js";

/** Variable sets remembered per operation; an operation sent with ever-new variables just recomputes. */
const MAX_ENTRIES_PER_OPERATION = 32;
/** Variables longer than this as JSON are not used as a key (computing the answer is cheaper than keeping it). */
const MAX_KEY_LENGTH = 512;

/**
 * Admission answers remembered per operation. Apollo keeps one parsed DocumentNode per distinct query (its document
 * cache), so the OperationDefinitionNode is a stable key for a repeated operation, and a WeakMap lets entries go
 * with the documents Apollo evicts. The walks it saves (authorization, cost estimate) are pure functions of the
 * operation, its variables and, for authorization, of what the caller may do.
 */
export class OperationAdmissionCache {
  private readonly costs = new WeakMap<OperationDefinitionNode, Map<string, number>>();
  private readonly authorized = new WeakMap<OperationDefinitionNode, Set<string>>();

  /** The operation's cost for these variables, computed once per distinct variables. */
  cost(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, compute: () => number): number {
    const key = variablesKey(variables);
    if (key === null) return compute();
    let known = this.costs.get(operation);
    const cached = known?.get(key);
    if (cached !== undefined) return cached;
    const cost = compute();
    if (!known) this.costs.set(operation, (known = new Map<string, number>()));
    if (known.size >= MAX_ENTRIES_PER_OPERATION) known.clear();
    known.set(key, cost);
    return cost;
  }

  /**
   * Runs `authorize` (which throws when refused) unless this operation already passed for a caller with the same
   * rights. Only for callers without a member restriction: a restricted caller's check reads the variables.
   */
  authorize(operation: OperationDefinitionNode, caller: Caller, authorize: () => void): void {
    if (caller.members !== null) return authorize();
    const key = callerRights(caller);
    const passed = this.authorized.get(operation);
    if (passed?.has(key)) return;
    authorize();
    if (!passed) this.authorized.set(operation, new Set([key]));
    else {
      if (passed.size >= MAX_ENTRIES_PER_OPERATION) passed.clear();
      passed.add(key);
    }
  }
}

function variablesKey(variables: Record<string, unknown> | undefined): string | null {
  if (!variables) return "";
  let empty = true;
  for (const _ in variables) {
    empty = false;
    break;
  }
  if (empty) return "";
  const key = JSON.stringify(variables);
  return key.length <= MAX_KEY_LENGTH ? key : null;
}
