import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Credentials } from "./transport.js";

/** Client credential pairs remembered at once; forgetting one only costs it one uncached read. */
const MAX_PAIRS = 10_000;
/** How long an acceptance is trusted: a revoked token stops reading the cache within this. */
const TRUST_MS = 60_000;

/**
 * Client credentials (ALLOW_CLIENT_CREDENTIALS) the upstream accepted recently, in this process only and hashed:
 * shared cache entries are keyed by application, so only a token Voucherify has accepted may read them.
 */
export class AcceptedCredentials {
  private readonly pairs = new LRUCache<string, true>({ max: MAX_PAIRS, ttl: TRUST_MS });

  private static key({ appId, appToken }: Credentials): string {
    return createHash("sha256").update(appId).update("\0").update(appToken).digest("base64url");
  }

  add(credentials: Credentials): void {
    this.pairs.set(AcceptedCredentials.key(credentials), true);
  }

  has(credentials: Credentials): boolean {
    return this.pairs.has(AcceptedCredentials.key(credentials));
  }
}
