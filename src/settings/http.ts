import { corsOriginProblem } from "./cors-origins.js";
import { integer, port, text } from "./parsers.js";
import { bytesDefault, defineSettings, Invalid, type SettingsReader } from "./setting.js";
import { MIB } from "../lib/byte-size.js";

/** How the HTTP server treats slow, idle and numerous clients (src/http). */
export interface HttpLimitsConfig {
  /** Time to receive a request's headers, counted from its first byte (or from the connection for the first one). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body; the operation that follows is bounded by operationTimeoutMs. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** Open client connections at most; further ones are closed as they arrive. */
  maxConnections: number;
  /** Request bodies being received, all requests together, at most (bytes). */
  maxBufferedBodyBytes: number;
}

export const HTTP_SETTINGS = defineSettings({
  title: "Where the gateway listens, and its HTTP server's limits",
  about: [
    "GraphQL at /graphql, Apollo Sandbox at / outside production.",
    "The limits hold against slow, idle and numerous clients; the request timeout ends when the body has arrived:",
    "the operation itself is bounded by OPERATION_TIMEOUT_MS.",
  ],
  settings: {
    PORT: { meaning: "Port the gateway listens on (GraphQL at /graphql, Sandbox at / outside production)", default: 4000, parse: port },
    HOST: { meaning: "Interface the gateway listens on", default: "127.0.0.1", parse: text },
    HTTP_HEADERS_TIMEOUT_MS: {
      meaning: "Time a client has to send a request's headers; then 408 and the connection is closed",
      default: 10_000,
      parse: integer(100, 600_000),
    },
    HTTP_REQUEST_TIMEOUT_MS: {
      meaning: "Time a client has to send a whole request, body included (not the time to answer it); then 408 and close",
      default: 30_000,
      parse: integer(100, 3_600_000),
    },
    HTTP_KEEP_ALIVE_TIMEOUT_MS: {
      meaning: "How long an idle keep-alive connection stays open; keep it above a load balancer's idle timeout",
      default: 65_000,
      parse: integer(100, 600_000),
    },
    HTTP_MAX_CONNECTIONS: {
      meaning: "Open client connections at most; further ones are closed at once",
      default: 1000,
      parse: integer(1, 1_000_000),
    },
    HTTP_MAX_BUFFERED_BODY_BYTES: {
      meaning: "Request bodies being received, all requests together, at most (bytes); over it: 503",
      ...bytesDefault(32 * MIB),
      parse: integer(1024, 64 * 1024 * MIB),
    },
    CORS_ORIGINS: {
      meaning: "Comma-separated browser origins allowed to call /graphql (https://app.example.com); unset = same origin only",
      example: "https://app.example.com,https://admin.example.com",
      parse: (raw, name) => {
        const origins: string[] = [];
        const problems: string[] = [];
        for (const entry of raw
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean)) {
          const problem = corsOriginProblem(entry);
          if (problem) problems.push(`${name}: ${problem}`);
          else if (!origins.includes(entry)) origins.push(entry);
        }
        return problems.length > 0 ? new Invalid(...problems) : origins;
      },
    },
  },
});

export function loadHttpLimits(settings: SettingsReader<typeof HTTP_SETTINGS.settings>): HttpLimitsConfig {
  const http: HttpLimitsConfig = {
    headersTimeoutMs: settings.read("HTTP_HEADERS_TIMEOUT_MS"),
    requestTimeoutMs: settings.read("HTTP_REQUEST_TIMEOUT_MS"),
    keepAliveTimeoutMs: settings.read("HTTP_KEEP_ALIVE_TIMEOUT_MS"),
    maxConnections: settings.read("HTTP_MAX_CONNECTIONS"),
    maxBufferedBodyBytes: settings.read("HTTP_MAX_BUFFERED_BODY_BYTES"),
  };
  // Node refuses a request timeout shorter than the headers timeout; say so in our words, at start-up.
  if (http.requestTimeoutMs < http.headersTimeoutMs) {
    settings.problems.push(
      `HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs}) must be at least HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs}): ` +
        "it covers the headers and the body",
    );
  }
  return http;
}
