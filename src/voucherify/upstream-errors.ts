/**
 * What can go wrong talking to Voucherify, as types rather than GraphQL errors: code below the resolvers (retries,
 * the chained-page resume, the readiness probe) decides by `instanceof` and fields; error-mapping.ts's one ladder
 * (`describeUpstreamError`) places them in the error table, and the GraphQL layer turns them into GraphQL errors once
 * for every resolver (src/referrals/upstream-error-to-graphql.ts), where they leave the data source. Messages never
 * carry a URL, a header or a credential; the underlying failure stays reachable as `cause` for logs and debugging.
 */
export abstract class UpstreamError extends Error {
  /** The HTTP status that ended the call; null when there was no answer (network error, timeout, a call refused before it went out). */
  abstract readonly status: number | null;
}

/** Voucherify answered, with a status that is not a success (redirects included). */
export class UpstreamStatusError extends UpstreamError {
  override readonly name = "UpstreamStatusError";
  constructor(
    readonly status: number,
    /** The answer's body as text (Voucherify's error JSON, or anything else a proxy sent). */
    readonly body: string,
    /** For 429: seconds until calls may go out again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`Voucherify answered ${status}`);
  }
}

/** No usable answer: refused or dropped connection, a body cut short, too large or not decodable. */
export class UpstreamNetworkError extends UpstreamError {
  override readonly name = "UpstreamNetworkError";
  readonly status = null;
  constructor(
    /** The failure class (`ECONNRESET`, `EBODYTOOLARGE`, ...), safe to show clients; undefined when unknown. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Voucherify could not be reached${code ? ` (${code})` : ""}`, options);
  }
}

/** The call's time budget ran out, or its operation ended (deadline passed) before it could finish. */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name = "UpstreamTimeoutError";
  readonly status = null;
  constructor(options?: { cause?: unknown }) {
    super("Voucherify did not answer in time", options);
  }
}

/** A success status whose body is not what the API documents (HTML, truncated JSON, the wrong shape). */
export class UpstreamBodyError extends UpstreamError {
  override readonly name = "UpstreamBodyError";
  constructor(
    readonly status: number,
    /** What is wrong with it, for the client's message: never the body itself. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Voucherify answered with an unexpected body (${problem})`, options);
  }
}

/**
 * The call was not sent: the replicas' shared back-off (after Voucherify's 429) or the plan's quota
 * (VOUCHERIFY_QUOTA_PER_MINUTE) refuses it until `retryAfterSeconds` have passed.
 */
export class UpstreamRateLimitedError extends UpstreamError {
  override readonly name = "UpstreamRateLimitedError";
  /** 429 for a back-off: Voucherify's own answer still holds; null for the quota: Voucherify was never asked. */
  readonly status: 429 | null;
  constructor(
    readonly reason: "backoff" | "quota",
    /** Whole seconds, at least 1. */
    readonly retryAfterSeconds: number,
  ) {
    super(reason === "quota" ? "The Voucherify plan's quota for this minute is spent" : "Voucherify's rate limit holds");
    this.status = reason === "backoff" ? 429 : null;
  }
}

/** The call was not sent: an id ("", "." or "..") cannot be one URL path segment. `field` names the argument. */
export class InvalidPathSegmentError extends UpstreamError {
  override readonly name = "InvalidPathSegmentError";
  readonly status = null;
  constructor(readonly field: string) {
    super(`${field} is not a valid id`);
  }
}
