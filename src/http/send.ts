import type { ServerResponse } from "node:http";
import { JSON_MEDIA_TYPE } from "../execution/graphql-response.js";

/** A GraphQL-shaped error response for failures before GraphQL execution (body too large, bad JSON). */
export function sendRequestError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
  /** response-media-type.ts: what the client accepts; JSON unless it says otherwise. */
  contentType: string = JSON_MEDIA_TYPE,
): void {
  sendJson(response, status, { errors: [{ message, extensions: { code, ...extensions } }] }, contentType);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, contentType: string = JSON_MEDIA_TYPE): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  response.end(text);
}
