import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwksCache,
  type ExportedJWKSCache,
  type FetchImplementation,
  type JWKSCacheInput,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";
import type { Logger } from "../observability/logger.js";
import { isJsonObject } from "../lib/json-object.js";

/** The verification keys cannot be had right now (the key server fails, or never answered): not the caller's fault. */
export class KeySourceUnavailableError extends Error {
  override readonly name = "KeySourceUnavailableError";
  constructor() {
    super("The gateway could not fetch its token verification keys.");
  }
}

type VerificationKey = Awaited<ReturnType<JWTVerifyGetKey>>;

/** While the key server fails, it is asked again this often (at most: never more often than the JWKS cooldown). */
export const KEY_FETCH_RETRY_MS = 5000;
const KEY_FETCH_TIMEOUT_MS = 5000;

/**
 * What the keys allow now. `ok`: fetched, and the key server answered its last fetch. `cached`: it fails, and the
 * keys fetched before still verify (ready, with a warning). `unavailable`: no key was ever fetched: every bearer
 * token is refused with 503 (not ready).
 */
export type KeySetStatus = { keys: "ok" } | { keys: "cached" | "unavailable"; failingSince: Date; error: string };

export interface RemoteKeySetOptions {
  logger: Logger;
  /** Least time between two fetches for unknown key ids (jose's cooldown; 30 s unless tests shorten it). */
  cooldownMs?: number;
  /** Time between fetches while the key server fails (KEY_FETCH_RETRY_MS unless tests shorten it). */
  retryMs?: number;
  /** Every failed fetch (the gateway_auth_key_fetch_failures_total metric). */
  onFetchFailure?: () => void;
}

/**
 * The JWKS behind AUTH_JWT_JWKS_URL. jose's createRemoteJWKSet fetches, caches and selects the keys (refetching for
 * an unknown `kid`, at most once per cooldown); this class watches it through jose's own hooks, the fetch it makes
 * (customFetch) and the set it keeps (jwksCache), and adds what a key server outage needs:
 *
 * - one warning per outage naming the key server's host and the error (never the URL's path or query), a count of
 *   every failed fetch, and a line when it answers again;
 * - while it fails, no request waits on it: tokens are verified with the keys fetched before (jose would refetch a
 *   stale set on every request and refuse when that fails), a key id those keys lack is refused with 503, and one
 *   fetch every `retryMs` finds the server back. Before any key was fetched every bearer token is refused with 503.
 *
 * The keys are fetched at start (start()), so a key server that is down is said at once and the first caller does
 * not wait for it.
 */
export class RemoteKeySet {
  readonly getKey: JWTVerifyGetKey = (header, token) => this.keyFor(header, token);
  private readonly remote: ReturnType<typeof createRemoteJWKSet>;
  /** jose writes the set it last fetched here (jwks, uat); read while the key server fails. */
  private readonly fetched: JWKSCacheInput = {};
  private readonly url: string;
  private readonly host: string;
  private readonly retryMs: number;
  private failure: { since: number; error: string } | null = null;
  private retry: NodeJS.Timeout | null = null;
  private firstFetch: Promise<void> = Promise.resolve();
  private lastFetched: { jwks: JSONWebKeySet; getKey: ReturnType<typeof createLocalJWKSet> } | null = null;

  constructor(
    url: string,
    private readonly options: RemoteKeySetOptions,
  ) {
    const parsed = new URL(url);
    this.url = parsed.href;
    this.host = parsed.host;
    const cooldownMs = options.cooldownMs ?? 30_000;
    this.retryMs = options.retryMs ?? Math.max(1, Math.min(cooldownMs, KEY_FETCH_RETRY_MS));
    const fetchKeys: FetchImplementation = (resource, init) => this.fetchKeys(resource, init);
    this.remote = createRemoteJWKSet(parsed, {
      cooldownDuration: cooldownMs,
      timeoutDuration: KEY_FETCH_TIMEOUT_MS,
      [customFetch]: fetchKeys,
      [jwksCache]: this.fetched,
    });
  }

  /** Fetches the keys now; a failure is logged and retried, never thrown. */
  start(): void {
    this.firstFetch = this.remote.reload().catch(() => {});
  }

  /** What the keys allow now, once the fetch begun at start has ended. */
  async status(): Promise<KeySetStatus> {
    await this.firstFetch;
    if (!this.failure)
      return this.fetchedKeys ? { keys: "ok" } : { keys: "unavailable", failingSince: new Date(), error: "not fetched yet" };
    const { since, error } = this.failure;
    return { keys: this.fetchedKeys ? "cached" : "unavailable", failingSince: new Date(since), error };
  }

  /** The key set jose fetched last, if it ever fetched one. */
  private get fetchedKeys(): JSONWebKeySet | undefined {
    return (this.fetched as Partial<ExportedJWKSCache>).jwks;
  }

  close(): void {
    if (this.retry) clearInterval(this.retry);
    this.retry = null;
  }

  private async keyFor(...[header, token]: Parameters<JWTVerifyGetKey>): Promise<VerificationKey> {
    if (!this.failure) {
      try {
        return await this.remote(header, token);
      } catch (error) {
        // A token's own fault (no such key, an algorithm the set does not offer) with the key server answering.
        if (!this.failure) throw error;
        // This call's fetch failed (fetchKeys saw it): the keys fetched before still verify.
      }
    }
    return this.keyFetchedBefore(header, token);
  }

  private async keyFetchedBefore(...[header, token]: Parameters<JWTVerifyGetKey>): Promise<VerificationKey> {
    const jwks = this.fetchedKeys;
    if (!jwks) throw new KeySourceUnavailableError();
    if (this.lastFetched?.jwks !== jwks) this.lastFetched = { jwks, getKey: createLocalJWKSet(jwks) };
    try {
      return await this.lastFetched.getKey(header, token);
    } catch (error) {
      // A key id the old set lacks may be one the issuer has just rotated in: the gateway cannot tell, so 503, not 401.
      if (error instanceof errors.JWKSNoMatchingKey) throw new KeySourceUnavailableError();
      throw error;
    }
  }

  /** Every fetch jose makes goes through here: its outcome, seen once, whichever request or timer caused it. */
  private async fetchKeys(...[resource, init]: Parameters<FetchImplementation>): Promise<Response> {
    let response: Response;
    let body: string;
    try {
      response = await fetch(resource, init);
      body = await response.text();
    } catch (error) {
      this.failed(describeFetchError(error, init.signal));
      throw error;
    }
    if (response.status !== 200) {
      this.failed(`HTTP ${response.status}`);
      return new Response(null, { status: response.status });
    }
    if (isKeySet(body)) this.answered();
    else this.failed("the answer is not a JSON Web Key Set");
    // jose reads the answer itself (and refuses what was refused above, in its own words).
    return new Response(body, { status: 200 });
  }

  private failed(reason: string): void {
    this.options.onFetchFailure?.();
    if (this.failure) return;
    // The host names the key server; the URL's path or query could carry a secret, so it never reaches a log line.
    const error = reason.split(this.url).join(this.host);
    this.failure = { since: Date.now(), error };
    const consequence = this.fetchedKeys
      ? "tokens are verified with the keys fetched before"
      : "every bearer token is refused with 503 until they are";
    this.options.logger.warn(
      { keyServer: this.host, error, cachedKeys: this.fetchedKeys !== undefined },
      `token verification keys could not be fetched from ${this.host} (${error}): ${consequence}`,
    );
    this.retry = setInterval(() => void this.remote.reload().catch(() => {}), this.retryMs);
    this.retry.unref();
  }

  private answered(): void {
    if (!this.failure) return;
    const outageMs = Date.now() - this.failure.since;
    this.failure = null;
    this.close();
    this.options.logger.info({ keyServer: this.host, outageMs }, `token verification keys fetched from ${this.host} again`);
  }
}

/** jose's own test of a key set (isJwkSet): an object whose `keys` is an array of objects. */
function isKeySet(body: string): boolean {
  try {
    const value: unknown = JSON.parse(body);
    const keys = (value as { keys?: unknown } | null)?.keys;
    return Array.isArray(keys) && keys.every(isJsonObject);
  } catch {
    return false;
  }
}

/** Why a fetch failed, in a few words: fetch's own "fetch failed" says nothing; its cause says what (ECONNREFUSED ...). */
function describeFetchError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return `no answer within ${KEY_FETCH_TIMEOUT_MS} ms`;
  // Read by shape: undici's errors come from Node's own realm, not always this one's Error.
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  const reason = (typeof cause?.message === "string" ? cause : error) as { message?: unknown; code?: unknown } | null;
  const message = typeof reason?.message === "string" ? reason.message : String(error);
  const code = typeof reason?.code === "string" ? reason.code : null;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
