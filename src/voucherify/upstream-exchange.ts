import type { Dispatcher } from "undici";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { abortError, type UpstreamCall } from "./upstream-call.js";
import { UpstreamNetworkError } from "./upstream-errors.js";

/** Largest upstream body read: a 100-holder page is about 40 KB; anything far beyond is not Voucherify talking. */
export const MAX_UPSTREAM_BODY_BYTES = 8 * 1024 * 1024;

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ExchangeOptions {
  method: "GET" | "POST" | "DELETE";
  /** Absolute path and query on the dispatcher's origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborted (budget spent, operation over): a queued call answers at once, one in flight is cut off. */
  call: UpstreamCall;
  /**
   * Asked when the request leaves undici's queue for a connection, just before it is written: an error here
   * (the upstream gate's back-off) stops it unsent. Waiting for a connection can take long; the answer may have changed.
   */
  refuseOnStart?: () => Error | undefined;
}

/**
 * One request and its whole response through an undici dispatcher (a Pool per origin: keep-alive, the connection
 * cap and its queue, `maxResponseSize`). A raw dispatch handler rather than `request()`: the body is collected
 * as buffers without a stream per call. No retries, no status handling: the transport decides what a status means.
 */
export function exchange(dispatcher: Dispatcher, options: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const { call } = options;
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      call.onAbort(null);
      reject(error);
    };
    if (call.aborted) return reject(abortError(call.reason));
    // A call abandoned while queued answers at once; undici drops it unsent when it reaches a connection.
    call.onAbort((reason) => {
      controller?.abort(abortError(reason));
      fail(abortError(reason));
    });
    let status = 0;
    let headers: Exchange["headers"] = {};
    const chunks: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        const refusal = call.aborted ? abortError(call.reason) : options.refuseOnStart?.();
        if (refusal) started.abort(refusal);
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        let body: string;
        try {
          const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          body = decode(raw, headers["content-encoding"]).toString("utf8");
        } catch (error) {
          fail(new UpstreamNetworkError("EBADENCODING", { cause: error }));
          return;
        }
        settled = true;
        call.onAbort(null);
        resolve({ status, headers, body });
      },
      onResponseError(_controller, error) {
        fail(error);
      },
    };
    dispatcher.dispatch({ method: options.method, path: options.path, headers: options.headers, body: options.body }, handler);
  });
}

function decode(body: Buffer, encoding: string | string[] | undefined): Buffer {
  if (!encoding || encoding === "identity" || Array.isArray(encoding)) return body;
  // The cap holds for what decompression produces too: a small gzip bomb must not become gigabytes.
  const limits = { maxOutputLength: MAX_UPSTREAM_BODY_BYTES };
  if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(body, limits);
  if (encoding === "br") return brotliDecompressSync(body, limits);
  if (encoding === "deflate") return inflateSync(body, limits);
  return body;
}
