import { createHash, timingSafeEqual } from "node:crypto";

const BEARER = /^Bearer +(\S+)\s*$/i;

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case); null for anything else. */
export function bearerToken(header: string | undefined): string | null {
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * A test of what a request sent against a configured secret (a token, a shared secret) that takes the same time
 * whatever was sent: both sides are hashed first, so neither the length nor the first differing byte shows.
 */
export function secretMatcher(secret: string): (given: string) => boolean {
  const expected = digest(secret);
  return (given) => timingSafeEqual(digest(given), expected);
}
