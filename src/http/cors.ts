import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * What a browser page on another origin needs to call POST /graphql: JSON bodies, a bearer token, Apollo's
 * CSRF-prevention header (for GET queries or non-JSON clients), Apollo Client's operation and client-awareness
 * headers, and our request id. Anything else makes the browser refuse the request at preflight.
 */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "apollographql-client-name",
  "apollographql-client-version",
  "x-request-id",
].join(", ");
const ALLOWED_METHODS = "GET, POST";
// Browsers cap this (Chromium at 2 h); 10 min saves a preflight per call without pinning a policy for long.
const PREFLIGHT_MAX_AGE_SECONDS = "600";

export interface Cors {
  /**
   * Adds the CORS headers this request earns. Returns true when it was a preflight and has been answered.
   * An origin that is not listed gets no Access-Control-* header at all, so the browser keeps its response from
   * the page (Apollo's CSRF prevention still refuses the "simple" requests a browser sends without asking).
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

/** Exact-origin CORS for /graphql. Origins come validated and normalised from CORS_ORIGINS (src/config.ts). */
export function createCors(origins: readonly string[]): Cors {
  const allowed = new Set(origins);
  return {
    handle(request, response) {
      // Answers differ by Origin: no cache (or proxy) may serve one origin's answer to another.
      response.setHeader("vary", "Origin");
      const origin = request.headers.origin;
      const listed = origin !== undefined && allowed.has(origin);
      const preflight =
        request.method === "OPTIONS" && origin !== undefined && request.headers["access-control-request-method"] !== undefined;
      if (listed) {
        response.setHeader("access-control-allow-origin", origin);
        response.setHeader("access-control-expose-headers", "x-request-id, retry-after");
      }
      if (!preflight) return false;
      if (listed) {
        response.setHeader("access-control-allow-methods", ALLOWED_METHODS);
        response.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
        response.setHeader("access-control-max-age", PREFLIGHT_MAX_AGE_SECONDS);
      }
      response.statusCode = 204;
      response.end();
      return true;
    },
  };
}
