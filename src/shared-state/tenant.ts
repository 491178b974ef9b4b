import { createHash } from "node:crypto";

/**
 * Whose data a shared entry is: a hash of the upstream URL and the Voucherify application id. Never the token, so
 * nothing in Redis can authenticate anyone; with ALLOW_CLIENT_CREDENTIALS each application gets its own keys.
 */
export function tenantOf(upstreamUrl: string, appId: string): string {
  return createHash("sha256").update(upstreamUrl).update("\0").update(appId).digest("base64url").slice(0, 22);
}
