import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpAnswer } from "../operation/apollo-http-behaviour.js";
import type { LingeringClose } from "./lingering-close.js";

/**
 * Writes a refusal: the one place the HTTP edge answers a request it refuses itself (a document that may not run, a
 * body too large, not JSON or over the body budget, a caller refused from its headers, a failure outside GraphQL).
 * The answer is built by src/operation/apollo-http-behaviour.ts (or is Apollo Server's own), so it negotiates and reads as
 * Apollo's refusals do. A request whose body has not all arrived is answered with `connection: close`, and the rest of
 * its body is read and dropped before the connection closes (lingering-close.ts), so the client receives the answer
 * rather than a reset; without `lingering` the connection closes as soon as the answer is out.
 */
export function sendRefusal(request: IncomingMessage, response: ServerResponse, answer: HttpAnswer, lingering?: LingeringClose): void {
  const bodyUnread = !request.complete;
  response.writeHead(answer.status, {
    ...answer.headers,
    "content-length": Buffer.byteLength(answer.body),
    ...(bodyUnread ? { connection: "close" } : {}),
  });
  if (!bodyUnread || !lingering) {
    response.end(answer.body);
    return;
  }
  response.write(answer.body);
  lingering.endAfterBody(request, response);
}
