import http from "node:http";
import https from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

/** Largest upstream body read: a 100-holder page is about 40 KB; anything far beyond is not Voucherify talking. */
export const MAX_UPSTREAM_BODY_BYTES = 8 * 1024 * 1024;

export interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ExchangeOptions {
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body?: string;
  signal: AbortSignal;
}

/** Where requests go, parsed once: per-request URL parsing is measurable at thousands of calls a second. */
export interface Origin {
  protocol: "http:" | "https:";
  hostname: string;
  port: number | undefined;
  basePath: string;
}

export function parseOrigin(baseUrl: string): Origin {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("upstream URL must be http or https");
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : undefined,
    basePath: url.pathname.replace(/\/+$/, ""),
  };
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (!encoding || encoding === "identity") return body;
  // The cap holds for what decompression produces too: a small gzip bomb must not become gigabytes.
  const limits = { maxOutputLength: MAX_UPSTREAM_BODY_BYTES };
  if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(body, limits);
  if (encoding === "br") return brotliDecompressSync(body, limits);
  if (encoding === "deflate") return inflateSync(body, limits);
  return body;
}

/** An error with a Node-style code, so the retry policy can read network failures uniformly. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One request and its whole response on a keep-alive agent, with node:http directly: the benchmark measured
 * got at 250-340 µs of CPU per call and this at about 60 µs (test/bench/results). No retries, no status
 * handling: the transport decides what a status means.
 */
export function exchange(origin: Origin, agent: http.Agent, options: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const send = origin.protocol === "https:" ? https.request : http.request;
    const request = send(
      {
        protocol: origin.protocol,
        hostname: origin.hostname,
        port: origin.port,
        path: `${origin.basePath}/${options.path}`,
        method: options.method,
        headers: options.headers,
        agent,
        signal: options.signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_UPSTREAM_BODY_BYTES) {
            response.destroy(codedError("upstream body too large", "EBODYTOOLARGE"));
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", reject);
        // A socket closed mid-body ends the response without `end`: that is a reset, not a short success.
        response.on("close", () => {
          if (!response.complete) reject(codedError("upstream closed the connection mid-response", "ECONNRESET"));
        });
        response.on("end", () => {
          try {
            const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            const body = decode(raw, response.headers["content-encoding"]).toString("utf8");
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
          } catch {
            reject(codedError("upstream body could not be decoded", "EBADENCODING"));
          }
        });
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}
