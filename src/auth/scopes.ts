/**
 * What a caller's token may grant, in its `scope` claim (space-separated) or `scp` claim (array). The schema carries
 * the same rules as Federation's `@requiresScopes`, so a router enforces them too.
 */
export const Scope = {
  /** Read a referral code's holders. */
  REFERRALS_READ: "referrals:read",
  /** addHolders and removeHolder. */
  REFERRALS_WRITE: "referrals:write",
  /** Customer fields other than id (personal data). */
  CUSTOMERS_READ: "customers:read",
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Federation's `@requiresScopes` for a single scope, as TypeGraphQL's `@Directive` takes it. */
export function requiresScope(scope: Scope): string {
  return `@requiresScopes(scopes: [["${scope}"]])`;
}

/** Federation's `@authenticated`: the type or field needs a verified caller. */
export const AUTHENTICATED = "@authenticated";
