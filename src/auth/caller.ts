/** Who is calling, as far as the gateway has verified it. Built once per request (src/auth/authenticator.ts). */
export interface Caller {
  /** What the per-caller budget is keyed on: the token's subject, or the client address when auth is off. */
  readonly budgetKey: string;
  /** A verified token, or authentication turned off (then every caller counts as authenticated). */
  readonly authenticated: boolean;
  /** Granted scopes; null means all of them (authentication off). */
  readonly scopes: ReadonlySet<string> | null;
  /** The referral members (as given: code or voucher id) the caller may touch; null means all. */
  readonly members: ReadonlySet<string> | null;
  /** The request proved it comes from the federation router: it may read `_service` and ask for inline traces. */
  readonly router: boolean;
}

/**
 * `@requiresScopes` semantics: the outer list is "any of", each inner list "all of".
 * An empty requirement is met by any caller.
 */
export function hasScopes(caller: Caller, anyOf: ReadonlyArray<ReadonlyArray<string>>): boolean {
  if (caller.scopes === null || anyOf.length === 0) return true;
  const granted = caller.scopes;
  return anyOf.some((allOf) => allOf.every((scope) => granted.has(scope)));
}

/** Members are matched as given: a code and its voucher id are two names, and a token lists the ones it may use. */
export function mayTouchMember(caller: Caller, memberId: string): boolean {
  return caller.members === null || caller.members.has(memberId);
}

/**
 * Everything about a caller that can change what an operation answers them: authenticated or not, the router or not,
 * the scopes and the member rules, in one string (callers with equal strings get equal answers). Never who they are.
 * JSON of the sorted names: a scope or member may contain any character, so no separator is safe.
 */
export function callerRights(caller: Caller): string {
  const scopes = caller.scopes === null ? "*" : JSON.stringify([...caller.scopes].sort());
  const members = caller.members === null ? "*" : JSON.stringify([...caller.members].sort());
  return `${caller.authenticated ? 1 : 0}${caller.router ? 1 : 0}${scopes}${members}`;
}

/** "a and b or c", for error messages. */
export function describeScopes(anyOf: ReadonlyArray<ReadonlyArray<string>>): string {
  return anyOf.map((allOf) => allOf.join(" and ")).join(" or ");
}
