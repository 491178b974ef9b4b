import type { ServerResponse } from "node:http";

/** A JSON answer outside GraphQL (probes, 404s, /metrics' refusals). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}
