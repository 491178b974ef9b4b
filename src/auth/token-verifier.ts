import { createPublicKey, type KeyObject } from "node:crypto";
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from "jose";
import { LRUCache } from "lru-cache";
import type { AuthConfig, JwtKeySource } from "../config.js";
import { KeySourceUnavailableError, RemoteKeySet, type KeySetStatus, type RemoteKeySetOptions } from "./remote-key-set.js";

export { KeySourceUnavailableError };

/** Why a token was refused, in words a client developer can act on (never the token or the key). */
export class InvalidTokenError extends Error {
  override readonly name = "InvalidTokenError";
}

const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const EC_ALGORITHM: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
/** Clocks of issuers and gateways drift a little; a few seconds is the usual allowance. */
const CLOCK_TOLERANCE_SECONDS = 5;
/**
 * A client sends the same token with every request until it expires, and verifying one costs about 80 µs of CPU
 * (HS256 or RS256, measured here): a verified token is remembered until its `exp`, but at most a minute, so a key
 * withdrawn from the JWKS stops working within that minute. Bounded by entries, so junk tokens cannot grow it.
 */
const VERIFIED_TOKENS_MAX = 10_000;
const VERIFIED_TOKEN_TTL_MS = 60_000;

/**
 * Verifies callers' bearer JWTs with jose. Algorithms are pinned to the key source (a JWKS or a PEM never accepts
 * HS256, so a public key cannot be abused as an HMAC secret; `alg: none` is never accepted by jwtVerify), and `exp`
 * and `sub` are required: a token that never expires, or names nobody, cannot be budgeted or revoked by time.
 */
export class TokenVerifier {
  private readonly key: KeyObject | Uint8Array | JWTVerifyGetKey;
  private readonly options: JWTVerifyOptions;
  private readonly verified = new LRUCache<string, JWTPayload>({ max: VERIFIED_TOKENS_MAX });
  /** AUTH_JWT_JWKS_URL's keys, watched (remote-key-set.ts); null for a PEM or a secret, which cannot fail. */
  private readonly keySet: RemoteKeySet | null = null;

  constructor(source: JwtKeySource, claims: Pick<AuthConfig, "issuer" | "audience">, jwks: RemoteKeySetOptions) {
    let algorithms: string[];
    switch (source.kind) {
      case "jwks":
        // jose caches the set and refetches it for an unknown `kid`, at most once per cooldown (30 s by default),
        // so tokens with made-up kids cannot turn the gateway into a load generator against the key server.
        this.keySet = new RemoteKeySet(source.url, jwks);
        this.key = this.keySet.getKey;
        algorithms = ASYMMETRIC;
        break;
      case "publicKey": {
        const key = createPublicKey(source.pem);
        this.key = key;
        algorithms =
          key.asymmetricKeyType === "ec"
            ? [EC_ALGORITHM[key.asymmetricKeyDetails?.namedCurve ?? ""] ?? "ES256"]
            : ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
        break;
      }
      case "secret":
        this.key = new TextEncoder().encode(source.secret);
        algorithms = ["HS256"];
        break;
    }
    this.options = {
      algorithms,
      issuer: claims.issuer ?? undefined,
      audience: claims.audience ?? undefined,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "sub"],
    };
  }

  /** Fetches a JWKS's keys now (a key server down at start is said at once); nothing to do for a PEM or a secret. */
  start(): void {
    this.keySet?.start();
  }

  /** What the keys allow now: always "ok" for a PEM or a secret. */
  async keyStatus(): Promise<KeySetStatus> {
    return this.keySet ? this.keySet.status() : { keys: "ok" };
  }

  close(): void {
    this.keySet?.close();
  }

  async verify(token: string): Promise<JWTPayload> {
    const remembered = this.verified.get(token);
    if (remembered) return remembered;
    let payload: JWTPayload;
    try {
      // jwtVerify's two overloads: a key, or a function that picks one (a JWKS's).
      const { key } = this;
      ({ payload } = typeof key === "function" ? await jwtVerify(token, key, this.options) : await jwtVerify(token, key, this.options));
    } catch (error) {
      throw describe(error);
    }
    // `exp` is required, so always a number here; the entry lapses when the token does (or within the minute).
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, (payload.exp as number) * 1000 - Date.now());
    if (ttl > 0) this.verified.set(token, payload, { ttl });
    return payload;
  }
}

function describe(error: unknown): Error {
  if (error instanceof KeySourceUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new InvalidTokenError("The token has expired.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf" || error.claim === "iat") return new InvalidTokenError("The token is not valid yet.");
    if (error.claim === "iss") return new InvalidTokenError("The token has the wrong issuer.");
    if (error.claim === "aud") return new InvalidTokenError("The token has the wrong audience.");
    return new InvalidTokenError(`The token's ${error.claim} claim is missing or invalid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError("The token's signing algorithm is not accepted.");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError("The token's signature does not verify.");
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError("The token was signed with a key the gateway does not know.");
  // A failed fetch is answered by remote-key-set.ts (the keys fetched before, or KeySourceUnavailableError); jose's
  // own fetch errors are mapped too, so that no path can turn a key server's failure into the caller's 401.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return new KeySourceUnavailableError();
  // jose's generic error is what a JWKS server answering anything but 200 with JSON produces.
  if (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC") return new KeySourceUnavailableError();
  if (error instanceof errors.JOSEError) return new InvalidTokenError("The token is malformed.");
  // fetch() failing to reach the JWKS server surfaces as a plain TypeError with a cause.
  if (error instanceof TypeError && "cause" in error) return new KeySourceUnavailableError();
  return new InvalidTokenError("The token is malformed.");
}
