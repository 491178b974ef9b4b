import { ErrorCode, type UpstreamErrorDetails } from "../errors/error-codes.js";
import { isJsonObject, type JsonObject } from "../lib/json-object.js";
import {
  InvalidPathSegmentError,
  UpstreamError,
  UpstreamRateLimitedError,
  UpstreamStatusError,
  UpstreamTimeoutError,
} from "./upstream-errors.js";

// Upstream failures -> the gateway's error table (codes and details). Turning them into GraphQL errors is the GraphQL
// layer's part (src/referrals/upstream-error-to-graphql.ts).

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

/** The error-table code of a typed upstream failure (logs, metrics, the client's `extensions.code`). */
export function errorCodeOf(error: UpstreamError): ErrorCode {
  if (error instanceof UpstreamStatusError) return codeForStatus(error.status);
  if (error instanceof UpstreamTimeoutError) return ErrorCode.UPSTREAM_TIMEOUT;
  if (error instanceof UpstreamRateLimitedError) return ErrorCode.RATE_LIMITED;
  if (error instanceof InvalidPathSegmentError) return ErrorCode.BAD_USER_INPUT;
  return ErrorCode.UPSTREAM_ERROR;
}

/** Voucherify's own request id from an error body: what their support asks for. */
export function upstreamRequestIdOf(error: UpstreamError): string | undefined {
  return error instanceof UpstreamStatusError ? upstreamDetails(error.status, error.body).requestId : undefined;
}
