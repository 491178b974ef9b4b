import { GraphQLError } from "graphql";
import { ErrorCode, type UpstreamErrorDetails } from "./error-codes.js";

// The error table's GraphQL errors, for the GraphQL layer only: below it (src/voucherify, src/shared-state) failures
// are typed errors, which src/referrals/upstream-error-to-graphql.ts turns into these once.

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
