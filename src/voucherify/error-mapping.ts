import { GraphQLError } from "graphql";
import { ErrorCode, gatewayError, type UpstreamErrorDetails } from "../errors.js";
import { UpstreamBodyError, UpstreamError, UpstreamNetworkError, UpstreamStatusError, UpstreamTimeoutError } from "./upstream-errors.js";

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

function stringField(body: Record<string, unknown> | null, name: string): string | undefined {
  const value = body?.[name];
  // Bounded: an upstream that echoes huge strings must not make the gateway's errors huge.
  return typeof value === "string" && value.length > 0 ? value.slice(0, 500) : undefined;
}

function parseErrorBody(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
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

/** Voucherify's error body -> GraphQL error. */
export function errorFromResponse(status: number, bodyText: string, retryAfterSeconds?: number): GraphQLError {
  const code = codeForStatus(status);
  const body = parseErrorBody(bodyText);
  const upstream = upstreamDetails(status, bodyText);
  // Only structured Voucherify errors lend their message: an HTML error page is not a message for a client.
  const message = (body && stringField(body, "message")) ?? GENERIC_MESSAGES[code];
  return gatewayError(code, message, {
    upstream,
    ...(code === ErrorCode.RATE_LIMITED ? { retryAfterSeconds: retryAfterSeconds ?? 1 } : {}),
  });
}

export function timeoutError(): GraphQLError {
  return gatewayError(ErrorCode.UPSTREAM_TIMEOUT, GENERIC_MESSAGES.UPSTREAM_TIMEOUT, { upstream: { status: null } });
}

/** Network failures: the message names the failure class only, never the URL or headers of the request. */
export function transportError(errorCode: string | undefined): GraphQLError {
  return gatewayError(ErrorCode.UPSTREAM_ERROR, "Voucherify could not be reached.", {
    upstream: { status: null, ...(errorCode ? { key: errorCode } : {}) },
  });
}

export function invalidResponseError(status: number, what: string): GraphQLError {
  return gatewayError(ErrorCode.UPSTREAM_ERROR, `Voucherify answered with an unexpected body (${what}).`, {
    upstream: { status },
  });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The error-table code of a typed upstream failure (logs, metrics, the client's `extensions.code`). */
export function errorCodeOf(error: UpstreamError): ErrorCode {
  if (error instanceof UpstreamStatusError) return codeForStatus(error.status);
  if (error instanceof UpstreamTimeoutError) return ErrorCode.UPSTREAM_TIMEOUT;
  return ErrorCode.UPSTREAM_ERROR;
}

/** Voucherify's own request id from an error body: what their support asks for. */
export function upstreamRequestIdOf(error: UpstreamError): string | undefined {
  return error instanceof UpstreamStatusError ? upstreamDetails(error.status, error.body).requestId : undefined;
}

/** The one place a typed upstream failure becomes a client-facing GraphQL error; the typed error stays its cause. */
export function toGraphQLError(error: UpstreamError): GraphQLError {
  let mapped: GraphQLError;
  if (error instanceof UpstreamStatusError) mapped = errorFromResponse(error.status, error.body, error.retryAfterSeconds);
  else if (error instanceof UpstreamTimeoutError) mapped = timeoutError();
  else if (error instanceof UpstreamBodyError) mapped = invalidResponseError(error.status, error.problem);
  else mapped = transportError(error instanceof UpstreamNetworkError ? error.code : undefined);
  return new GraphQLError(mapped.message, { extensions: mapped.extensions, originalError: error });
}

/**
 * For the resolvers' `.catch(...)` on data-source calls: typed upstream failures become the error table; anything
 * else (a bug) is rethrown untouched, so it is logged with its stack and masked for clients as unexpected.
 */
export function rethrowAsGraphQLError(error: unknown): never {
  throw error instanceof UpstreamError ? toGraphQLError(error) : error;
}
