import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors/error-codes.js";

/** 401 with the RFC 6750 challenge, so HTTP-level clients know a bearer token is what is missing. */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: new HeaderMap([["www-authenticate", 'Bearer error="invalid_token"']]) },
    },
  });
}

/**
 * FORBIDDEN. A refusal of the whole operation carries HTTP 403; a field refused during execution (the rest of the
 * answer stands) must not, or one redacted customer email would turn a good answer into a 403.
 */
export function forbidden(message: string, scope: "operation" | "field"): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.FORBIDDEN, ...(scope === "operation" ? { http: { status: 403 } } : {}) },
  });
}
