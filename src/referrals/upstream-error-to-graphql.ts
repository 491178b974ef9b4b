import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors/error-codes.js";
import { badUserInput, gatewayError } from "../errors/graphql-errors.js";
import { codeForStatus, upstreamDetails, upstreamMessage } from "../voucherify/error-mapping.js";
import {
  InvalidPathSegmentError,
  UpstreamBodyError,
  UpstreamError,
  UpstreamNetworkError,
  UpstreamRateLimitedError,
  UpstreamStatusError,
  UpstreamTimeoutError,
} from "../voucherify/upstream-errors.js";

// The GraphQL layer's edge for data-source failures: the typed upstream errors become the error table's GraphQLErrors.

const GENERIC_MESSAGES: Record<ErrorCode, string> = {
  BAD_USER_INPUT: "Voucherify rejected the request.",
  UNAUTHENTICATED: "Voucherify rejected the gateway's credentials.",
  FORBIDDEN: "Voucherify refused the operation.",
  NOT_FOUND: "Voucherify could not find the resource.",
  CONFLICT: "Voucherify reported a conflict.",
  RATE_LIMITED: "Voucherify's rate limit was reached; retry later.",
  UPSTREAM_ERROR: "Voucherify answered with an error.",
  UPSTREAM_TIMEOUT: "Voucherify did not answer in time.",
  // The gateway's own refusals of documents: never an upstream answer, listed for the table's completeness.
  PERSISTED_QUERY_NOT_IN_LIST: "No trusted document has this id.",
  QUERY_NOT_IN_SAFELIST: "This document is not a trusted one.",
};

/** Voucherify's error body -> GraphQL error. */
export function errorFromResponse(status: number, bodyText: string, retryAfterSeconds?: number): GraphQLError {
  const code = codeForStatus(status);
  const upstream = upstreamDetails(status, bodyText);
  const message = upstreamMessage(bodyText) ?? GENERIC_MESSAGES[code];
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

/** The shared back-off or the plan's quota refused the call before it went out. */
export function refusedCallError(error: UpstreamRateLimitedError): GraphQLError {
  const message =
    error.reason === "quota" ? "The Voucherify plan's quota for this minute is spent; retry later." : GENERIC_MESSAGES.RATE_LIMITED;
  return gatewayError(ErrorCode.RATE_LIMITED, message, {
    retryAfterSeconds: error.retryAfterSeconds,
    ...(error.status === 429 ? { upstream: { status: 429 } } : {}),
  });
}

/** The one place a typed upstream failure becomes a client-facing GraphQL error; the typed error stays its cause. */
export function toGraphQLError(error: UpstreamError): GraphQLError {
  let mapped: GraphQLError;
  if (error instanceof UpstreamStatusError) mapped = errorFromResponse(error.status, error.body, error.retryAfterSeconds);
  else if (error instanceof UpstreamTimeoutError) mapped = timeoutError();
  else if (error instanceof UpstreamBodyError) mapped = invalidResponseError(error.status, error.problem);
  else if (error instanceof UpstreamRateLimitedError) mapped = refusedCallError(error);
  else if (error instanceof InvalidPathSegmentError) mapped = badUserInput(`${error.field} is not a valid id.`, error.field);
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
