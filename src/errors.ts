import { GraphQLError } from "graphql";

/** The one error table of the gateway (README, "Errors"): every failure reaches clients with one of these codes. */
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

/** What the gateway tells clients about an upstream failure: never URLs, headers or credentials. */
export interface UpstreamErrorDetails {
  status: number | null;
  key?: string;
  requestId?: string;
  details?: string;
  resourceType?: string;
  resourceId?: string;
}

export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
}

export function gatewayError(
  code: ErrorCode,
  message: string,
  extensions: { upstream?: UpstreamErrorDetails; retryAfterSeconds?: number } = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
