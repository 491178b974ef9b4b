import type { IncomingMessage } from "node:http";
import { releaseNow } from "../lib/release-buffer.js";
import { MAX_REQUEST_BODY_BYTES } from "../limits/operation-limits.js";
import type { BodyBudget } from "./body-budget.js";

export class BodyTooLargeError extends Error {}
/** The shared body budget (HTTP_MAX_BUFFERED_BODY_BYTES) cannot take this body now. */
export class BodyBudgetExhaustedError extends Error {}
/** The client went away (or was cut by the request timeout) before its body had arrived. */
export class BodyAbortedError extends Error {}

export interface ReadBodyOptions {
  /** Most bytes kept; over it: BodyTooLargeError. */
  limit?: number;
  budget?: BodyBudget;
  /** Whose share of the budget the body counts against (the caller's budget key). */
  caller?: string;
  /**
   * Read a body over the limit to its end, keeping nothing, before refusing it (so a client that sends it whole
   * can read the answer), up to this many bytes; past them the connection is cut. Unset: refuse at once.
   */
  drainUpTo?: number;
}

/**
 * Reads the whole body, refusing (before buffering it) anything over `limit` bytes. With a budget, the declared
 * Content-Length is reserved against the caller's share before the first byte is read (a chunked body reserves as
 * it arrives), and the reservation is given back when the read ends, whichever way: a client cut mid-body releases
 * what it pinned.
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions = {}): Promise<string> {
  const { budget, drainUpTo } = options;
  const limit = options.limit ?? MAX_REQUEST_BODY_BYTES;
  const declared = Number(request.headers["content-length"]);
  const hasDeclared = request.headers["content-length"] !== undefined && Number.isFinite(declared);
  let tooLarge = hasDeclared && declared > limit;
  if (tooLarge && drainUpTo === undefined) return Promise.reject(new BodyTooLargeError());
  const reservation = budget?.open(options.caller ?? "unknown");
  if (reservation && !reservation.growTo(hasDeclared && !tooLarge ? declared : 0)) return Promise.reject(new BodyBudgetExhaustedError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      reservation?.release();
      request.removeListener("data", onData);
      request.removeListener("end", onEnd);
      request.removeListener("error", onError);
      request.removeListener("close", onClose);
      if (error) {
        // Stop reading: the answer goes out with `connection: close`, so the rest of the body is never drained.
        request.pause();
        chunks.forEach(releaseNow);
        chunks.length = 0;
        reject(error);
        return;
      }
      resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit || tooLarge) {
        if (drainUpTo === undefined) return settle(new BodyTooLargeError());
        tooLarge = true;
        chunks.forEach(releaseNow);
        chunks.length = 0;
        releaseNow(chunk);
        if (size > drainUpTo) request.socket.destroy();
        return;
      }
      if (reservation && !reservation.growTo(size)) return settle(new BodyBudgetExhaustedError());
      chunks.push(chunk);
    };
    const onEnd = () => settle(tooLarge ? new BodyTooLargeError() : null);
    const onError = (error: Error) => settle(request.destroyed ? new BodyAbortedError(error.message) : error);
    // `close` before `end`: the socket is gone (client left, or the server's request timeout cut it).
    const onClose = () => settle(new BodyAbortedError("the client closed the connection before its body had arrived"));
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
    request.on("close", onClose);
  });
}
