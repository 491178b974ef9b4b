/**
 * The one error table of the gateway (docs/frontend/errors.md): every failure reaches clients with one of these codes.
 * No GraphQL here: the data source and shared state decide by these codes too; src/errors/graphql-errors.ts builds the
 * errors.
 */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  UPSTREAM_ERROR: "UPSTREAM_ERROR",
  UPSTREAM_TIMEOUT: "UPSTREAM_TIMEOUT",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The code of an error nobody expected (a bug): masked for clients, logged with its stack. */
export const UNEXPECTED_ERROR_CODE = "INTERNAL_SERVER_ERROR";

/**
 * The `extensions.code` of a GraphQL error, thrown or formatted (read structurally: no graphql-js here, so the data
 * source and observability read it too); an error without one is a bug's, UNEXPECTED_ERROR_CODE. What masking,
 * logs, metrics and spans decide by.
 */
export function errorCodeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === "string" ? code : UNEXPECTED_ERROR_CODE;
}

/**
 * Request-level codes: the request itself is refused before (or instead of) execution. Apollo Server raises the first
 * six itself (parse, validation, APQ, bad HTTP requests); the gateway's HTTP handler raises the rest, on both paths
 * (Apollo's and the trusted documents' fast path).
 */
export const RequestErrorCode = {
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  BAD_REQUEST: "BAD_REQUEST",
  PERSISTED_QUERY_NOT_FOUND: "PERSISTED_QUERY_NOT_FOUND",
  PERSISTED_QUERY_NOT_SUPPORTED: "PERSISTED_QUERY_NOT_SUPPORTED",
  OPERATION_RESOLUTION_FAILURE: "OPERATION_RESOLUTION_FAILURE",
  /** Too many request bodies in transit at once (HTTP 503, retry shortly). */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  /** A document id (`documentId`, or a sha256Hash under safelisting) that no trusted document has (HTTP 400). */
  PERSISTED_QUERY_NOT_IN_LIST: "PERSISTED_QUERY_NOT_IN_LIST",
  /** Safelisting on (TRUSTED_DOCUMENTS_ONLY): a document sent as text that is not a trusted one (HTTP 400). */
  QUERY_NOT_IN_SAFELIST: "QUERY_NOT_IN_SAFELIST",
} as const;
export type RequestErrorCode = (typeof RequestErrorCode)[keyof typeof RequestErrorCode];

/** Every code a client may see unmasked: the error table and the request-level codes. */
export const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([...Object.values(ErrorCode), ...Object.values(RequestErrorCode)]);

/** Upstream failures an operator must hear about: credentials, quota, outages. */
export const OPERATOR_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.RATE_LIMITED,
  ErrorCode.UPSTREAM_ERROR,
  ErrorCode.UPSTREAM_TIMEOUT,
]);

/** Failures after which a write may have happened upstream anyway: no answer, an answer we could not read, a bug. */
export const UNCERTAIN_OUTCOME_CODES: ReadonlySet<string> = new Set([
  ErrorCode.UPSTREAM_ERROR,
  ErrorCode.UPSTREAM_TIMEOUT,
  UNEXPECTED_ERROR_CODE,
]);

/** An upstream failure's row of the error table (src/voucherify/error-mapping.ts's describeUpstreamError). */
export interface UpstreamFailure {
  code: ErrorCode;
  message: string;
  /** Extensions after `code`, in the order clients see them. Never URLs, headers or credentials. */
  extensions: { upstream?: UpstreamErrorDetails; retryAfterSeconds?: number; field?: string };
}

/** What the gateway tells clients about an upstream failure: never URLs, headers or credentials. */
export interface UpstreamErrorDetails {
  status: number | null;
  key?: string;
  requestId?: string;
  details?: string;
  resourceType?: string;
  resourceId?: string;
}
