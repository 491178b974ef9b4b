import { ErrorCode, type UpstreamErrorDetails, type UpstreamFailure } from "../errors/error-codes.js";
import { isJsonObject, type JsonObject } from "../lib/json-object.js";
import {
  InvalidPathSegmentError,
  UpstreamBodyError,
  UpstreamError,
  UpstreamNetworkError,
  UpstreamRateLimitedError,
  UpstreamStatusError,
  UpstreamTimeoutError,
} from "./upstream-errors.js";

// Upstream failures -> the gateway's error table (codes, messages, details): the one `instanceof` ladder
// (describeUpstreamError). Turning a description into a GraphQL error is src/errors/graphql-errors.ts's part, done for every
// resolver at once (src/referrals/upstream-error-to-graphql.ts).

/** The one status-to-code table (apollo datasource-rest habit): every upstream answer that is not a success. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return ErrorCode.BAD_USER_INPUT;
  if (status === 401) return ErrorCode.UNAUTHENTICATED;
  if (status === 403) return ErrorCode.FORBIDDEN;
  if (status === 404) return ErrorCode.NOT_FOUND;
  if (status === 409) return ErrorCode.CONFLICT;
  if (status === 429) return ErrorCode.RATE_LIMITED;
  return ErrorCode.UPSTREAM_ERROR;
}

function stringField(body: JsonObject | null, name: string): string | undefined {
  const value = body?.[name];
  // Bounded: an upstream that echoes huge strings must not make the gateway's errors huge.
  return typeof value === "string" && value.length > 0 ? value.slice(0, 500) : undefined;
}

function parseErrorBody(text: string): JsonObject | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isJsonObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** The documented fields of Voucherify's error body `{code, key, message, details, request_id, resource_id, resource_type}`. */
export function upstreamDetails(status: number, bodyText: string): UpstreamErrorDetails {
  const body = parseErrorBody(bodyText);
  return stripUndefined({
    status,
    key: stringField(body, "key"),
    requestId: stringField(body, "request_id"),
    details: stringField(body, "details"),
    resourceType: stringField(body, "resource_type"),
    resourceId: stringField(body, "resource_id"),
  });
}

/** The message of a structured Voucherify error body; an HTML error page is not a message for a client. */
export function upstreamMessage(bodyText: string): string | undefined {
  return stringField(parseErrorBody(bodyText), "message");
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const GENERIC_MESSAGES: Record<ErrorCode, string> = {
  BAD_USER_INPUT: "Voucherify rejected the request.",
  UNAUTHENTICATED: "Voucherify rejected the gateway's credentials.",
  FORBIDDEN: "Voucherify refused the operation.",
  NOT_FOUND: "Voucherify could not find the resource.",
  CONFLICT: "Voucherify reported a conflict.",
  RATE_LIMITED: "Voucherify's rate limit was reached; retry later.",
  UPSTREAM_ERROR: "Voucherify answered with an error.",
  UPSTREAM_TIMEOUT: "Voucherify did not answer in time.",
};

/** The one ladder from a typed upstream failure to the error table (logs, metrics, the client's error). */
export function describeUpstreamError(error: UpstreamError): UpstreamFailure {
  if (error instanceof UpstreamStatusError) {
    const code = codeForStatus(error.status);
    const upstream = upstreamDetails(error.status, error.body);
    return {
      code,
      message: upstreamMessage(error.body) ?? GENERIC_MESSAGES[code],
      extensions: { upstream, ...(code === ErrorCode.RATE_LIMITED ? { retryAfterSeconds: error.retryAfterSeconds ?? 1 } : {}) },
    };
  }
  if (error instanceof UpstreamTimeoutError) {
    return { code: ErrorCode.UPSTREAM_TIMEOUT, message: GENERIC_MESSAGES.UPSTREAM_TIMEOUT, extensions: { upstream: { status: null } } };
  }
  if (error instanceof UpstreamBodyError) {
    const message = `Voucherify answered with an unexpected body (${error.problem}).`;
    return { code: ErrorCode.UPSTREAM_ERROR, message, extensions: { upstream: { status: error.status } } };
  }
  if (error instanceof UpstreamRateLimitedError) {
    // The shared back-off or the plan's quota refused the call before it went out.
    const message =
      error.reason === "quota" ? "The Voucherify plan's quota for this minute is spent; retry later." : GENERIC_MESSAGES.RATE_LIMITED;
    return {
      code: ErrorCode.RATE_LIMITED,
      message,
      extensions: { retryAfterSeconds: error.retryAfterSeconds, ...(error.status === 429 ? { upstream: { status: 429 } } : {}) },
    };
  }
  if (error instanceof InvalidPathSegmentError) {
    return { code: ErrorCode.BAD_USER_INPUT, message: `${error.field} is not a valid id.`, extensions: { field: error.field } };
  }
  // Network failures: the message names the failure class only, never the URL or headers of the request.
  const key = error instanceof UpstreamNetworkError ? error.code : undefined;
  return {
    code: ErrorCode.UPSTREAM_ERROR,
    message: "Voucherify could not be reached.",
    extensions: { upstream: { status: null, ...(key ? { key } : {}) } },
  };
}

/** The error-table code of a typed upstream failure (logs, metrics): the same ladder, without reading bodies. */
export function upstreamErrorCode(error: UpstreamError): ErrorCode {
  return error instanceof UpstreamStatusError ? codeForStatus(error.status) : describeUpstreamError(error).code;
}

/** Voucherify's own request id from an error body: what their support asks for. */
export function upstreamRequestIdOf(error: UpstreamError): string | undefined {
  return error instanceof UpstreamStatusError ? upstreamDetails(error.status, error.body).requestId : undefined;
}
