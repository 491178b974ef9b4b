import { createServer, type RequestListener, type Server } from "node:http";
import type { HttpLimitsConfig } from "../config.js";

/**
 * node:http with limits for slow, idle and numerous clients. Node's defaults (60 s for headers, 300 s for a whole
 * request, no connection cap) let 200 sockets each holding a 1 MiB body minus one byte pin about 190 MiB for five
 * minutes (test/load/partial-bodies.ts).
 *
 * `requestTimeout` runs from a request's first byte until its body has fully arrived, not until it is answered: a
 * long operation is bounded by OPERATION_TIMEOUT_MS instead, so it is never cut by this. Past either timeout Node
 * answers 408 and closes the socket; the body read then fails and releases its share of the body budget.
 */
export function createHttpServer(limits: HttpLimitsConfig, listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s, longer than the timeouts themselves); a quarter
      // of the shorter one, at most 1 s, keeps the cut close to the configured time for little cost.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    },
    listener,
  );
  // Connections over the cap are closed as they are accepted (Node emits "drop"): no request of theirs is read.
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  return server;
}
