import http, { type IncomingHttpHeaders, type Server } from "node:http";
import { Pool } from "undici";

// Hop-by-hop headers are the connection's, not the message's (RFC 9110 section 7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

/**
 * The cheapest sensible hop in front of the upstream: node:http in, undici out (a keep-alive connection pool per
 * origin, the client the gateway itself uses, src/voucherify/transport.ts), bodies streamed through untouched. Both
 * fronts pay for the same upstream client, so the gateway ÷ proxy ratio measures the gateway's own work.
 */
export function createPassThroughProxy(upstreamUrl: string, connections = 64): { server: Server; pool: Pool } {
  const pool = new Pool(new URL(upstreamUrl).origin, { connections });
  const server = http.createServer((request, response) => {
    const method = request.method ?? "GET";
    const hasBody = method !== "GET" && method !== "HEAD";
    pool
      .request({
        method: method,
        path: request.url ?? "/",
        headers: endToEnd(request.headers) as Record<string, string>,
        body: hasBody ? request : null,
      })
      .then((answer) => {
        response.writeHead(answer.statusCode, endToEnd(answer.headers));
        answer.body.pipe(response);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
  });
  server.keepAliveTimeout = 65_000;
  return { server, pool };
}
