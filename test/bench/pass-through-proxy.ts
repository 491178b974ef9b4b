import http, { type IncomingHttpHeaders, type Server } from "node:http";

// Hop-by-hop headers are the connection's, not the message's (RFC 9110 section 7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

/**
 * The cheapest sensible hop in front of the upstream: node:http in, node:http out over a keep-alive agent,
 * bodies streamed through untouched. It is the yardstick for "what does any extra hop cost".
 */
export function createPassThroughProxy(upstreamUrl: string, maxSockets = 64): { server: Server; agent: http.Agent } {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" });
  const server = http.createServer((request, response) => {
    const outgoing = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: endToEnd(request.headers),
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(response);
      },
    );
    outgoing.on("error", () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(outgoing);
  });
  server.keepAliveTimeout = 65_000;
  return { server, agent };
}
