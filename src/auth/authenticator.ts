import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AuthConfig } from "../config.js";
import type { GraphQLError } from "graphql";
import { errorCodeOf } from "../errors/error-codes.js";
import { keySourceUnavailable, unauthenticated } from "../errors/graphql-errors.js";
import { createLogger, type Logger } from "../observability/logger.js";
import type { Refusal } from "../observability/refusal-log.js";
import type { Caller } from "./caller.js";
import type { KeySetStatus } from "./remote-key-set.js";
import { InvalidTokenError, KeySourceUnavailableError, TokenVerifier } from "./token-verifier.js";

export interface AuthenticatorOptions {
  /** Where a key server's outages are told (silent without one). */
  logger?: Logger;
  /** Least time between two JWKS fetches for unknown key ids (tests shorten it; jose's default is 30 s). */
  jwksCooldownMs?: number;
  /** Time between JWKS fetches while the key server fails (tests shorten it). */
  jwksRetryMs?: number;
  /** Every failed JWKS fetch (a metric counts them). */
  onKeyFetchFailure?: () => void;
  /** Every request refused here, 401 or 503 (observability/refusal-log.ts). */
  onRefusal?: (refusal: Refusal) => void;
}

export const ROUTER_SECRET_HEADER = "x-router-secret";
const BEARER = /^Bearer +(\S+) *$/i;
/** A JWT is three base64url parts; anything longer than this is not a token any issuer sends. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Turns a request into a Caller before any GraphQL work: verifies the bearer token (401 when it is missing or
 * invalid), reads scopes and member restrictions from its claims, and recognises the federation router by its secret.
 */
export class Authenticator {
  private readonly verifier: TokenVerifier | null;
  private readonly routerSecret: SecretDigest | null;

  constructor(
    private readonly config: AuthConfig,
    private readonly production: boolean,
    private readonly options: AuthenticatorOptions = {},
  ) {
    this.verifier = config.keySource
      ? new TokenVerifier(config.keySource, config, {
          logger: options.logger ?? createLogger("silent"),
          cooldownMs: options.jwksCooldownMs,
          retryMs: options.jwksRetryMs,
          onFetchFailure: options.onKeyFetchFailure,
        })
      : null;
    this.routerSecret = config.routerSecret ? new SecretDigest(config.routerSecret) : null;
  }

  /** Fetches a JWKS's keys now, so that a key server down at start is said at once (and the first caller never waits). */
  start(): void {
    this.verifier?.start();
  }

  /** What the verification keys allow now (/readyz): "ok" unless a JWKS is failing. */
  keyStatus(): Promise<KeySetStatus> {
    return this.verifier ? this.verifier.keyStatus() : Promise.resolve({ keys: "ok" });
  }

  close(): void {
    this.verifier?.close();
  }

  /** Told to the refusal log (its class and reason: these refusals are worded by the gateway alone, never the token). */
  private refused(error: GraphQLError): GraphQLError {
    const http = error.extensions?.http as { status?: number } | undefined;
    this.options.onRefusal?.({ status: http?.status ?? 500, code: errorCodeOf(error), reason: error.message });
    return error;
  }

  /**
   * Whether a request is the router's, read once per request. `router`: `_service` and inline traces are served to
   * it (with ROUTER_SECRET set, only to requests carrying it; without it, open in development so composition tools
   * just work, closed in production). `proven`: it carries the configured ROUTER_SECRET, which exemptions that would
   * otherwise open to anyone (safelisting) need.
   */
  routerOf(request: IncomingMessage): { router: boolean; proven: boolean } {
    if (!this.routerSecret) return { router: !this.production, proven: false };
    const given = request.headers[ROUTER_SECRET_HEADER];
    const proven = typeof given === "string" && this.routerSecret.matches(given);
    return { router: proven, proven };
  }

  async authenticate(request: IncomingMessage, router: boolean): Promise<Caller> {
    if (!this.verifier) {
      const address = request.socket.remoteAddress ?? "unknown";
      return { budgetKey: `address:${address}`, authenticated: true, scopes: null, members: null, router };
    }
    const header = request.headers.authorization;
    if (header === undefined) {
      // The router fetches `_service` without a caller's token; everything else refuses an anonymous caller.
      if (router) return { budgetKey: "router", authenticated: false, scopes: new Set(), members: null, router };
      throw this.refused(unauthenticated("Send Authorization: Bearer <token>."));
    }
    const token = header.length <= MAX_TOKEN_LENGTH ? bearerCredential(header) : null;
    if (token === null) throw this.refused(unauthenticated("The Authorization header must be: Bearer <token>."));
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw this.refused(unauthenticated(error.message));
      if (error instanceof KeySourceUnavailableError) throw this.refused(keySourceUnavailable(error.message));
      throw error;
    }
    return {
      budgetKey: `sub:${String(claims.sub)}`,
      authenticated: true,
      scopes: new Set(scopesOf(claims)),
      members: membersOf(claims),
      router,
    };
  }
}

/** Whether any request can be the router's: with ROUTER_SECRET, those carrying it; without, all in development, none in production. */
export function routerRecognised(auth: Pick<AuthConfig, "routerSecret">, production: boolean): boolean {
  return auth.routerSecret !== null || !production;
}

/** The credential of an `Authorization: Bearer <credential>` header (RFC 6750), or null for any other header. */
export function bearerCredential(header: string | undefined): string | null {
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

/**
 * A configured secret (ROUTER_SECRET, METRICS_TOKEN) kept as its SHA-256 digest. What a request sends is hashed too
 * and the digests compared in constant time, so the time taken tells nothing of its length or first differing byte.
 */
export class SecretDigest {
  private readonly digest: Buffer;

  constructor(secret: string) {
    this.digest = sha256(secret);
  }

  matches(given: string): boolean {
    return timingSafeEqual(sha256(given), this.digest);
  }
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** `scope` (OAuth 2, space-separated) or `scp` (an array, as some issuers send it). */
function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === "string") return claims.scope.split(" ").filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.filter((scope): scope is string => typeof scope === "string");
  if (typeof claims.scp === "string") return claims.scp.split(" ").filter(Boolean);
  return [];
}

/** `referral_members`: the member ids the caller may touch. Absent: all. Present but malformed: none. */
function membersOf(claims: Record<string, unknown>): ReadonlySet<string> | null {
  const value = claims.referral_members;
  if (value === undefined) return null;
  return new Set(Array.isArray(value) ? value.filter((member): member is string => typeof member === "string") : []);
}
