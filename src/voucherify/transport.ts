import http from "node:http";
import https from "node:https";
import got, { type Got, type Method, type RetryObject } from "got";
import type { GraphQLError } from "graphql";
import { ErrorCode, gatewayError } from "../errors.js";
import { ConcurrencyLimit } from "./concurrency-limit.js";
import { errorFromResponse, timeoutError, transportError } from "./error-mapping.js";
import { RateLimitGuard } from "./rate-limit-guard.js";
import { retryAfterSeconds } from "./retry-after.js";

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Upstream requests in flight from this process, at most. */
  maxConcurrency?: number;
  /** Total attempts for idempotent requests (GET, DELETE), first one included. */
  maxAttempts?: number;
  /** Backoff before the first retry; doubles per attempt, with jitter. */
  retryBaseDelayMs?: number;
}

export interface Credentials {
  appId: string;
  appToken: string;
}

export interface UpstreamRequest {
  method: "GET" | "POST" | "DELETE";
  /** Path and query, without the base URL: `v1/referrals/...` */
  path: string;
  /** Endpoint label for logs and metrics, with no ids in it: `listHolders`. */
  endpoint: string;
  credentials: Credentials;
  json?: unknown;
  requestId?: string;
}

export interface UpstreamResponse {
  status: number;
  body: string;
  /** True when the answer came from a retry: a DELETE retried after a lost reply may see 404 for its own success. */
  retried: boolean;
}

export interface UpstreamCallEvent {
  endpoint: string;
  method: string;
  status: number | null;
  durationMs: number;
  /** The gateway request this call served (forwarded upstream as x-request-id). */
  requestId?: string;
  errorCode?: ErrorCode;
  /** Voucherify's own `request_id` from an error body: what their support asks for. */
  upstreamRequestId?: string;
}

// 429 is not here: the rate-limit guard handles it, never by waiting inside a client's request.
const RETRY_STATUS = [502, 503, 504];
const RETRY_ERRORS = ["ETIMEDOUT", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ENOTFOUND", "ENETUNREACH", "EAI_AGAIN", "EADDRINUSE"];

/**
 * The HTTP layer under VoucherifyClient: one keep-alive agent and one got instance per process, a total time
 * budget per call (retries included), retries for idempotent methods only, a concurrency cap and a 429 guard.
 * Errors leave it already mapped to the gateway's error table, carrying no URL, header or credential.
 */
export class UpstreamTransport {
  private readonly got: Got;
  private readonly limit: ConcurrencyLimit;
  private readonly rateLimit = new RateLimitGuard();
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly listeners = new Set<(event: UpstreamCallEvent) => void>();

  constructor(private readonly options: TransportOptions) {
    const maxSockets = options.maxConcurrency ?? 64;
    this.limit = new ConcurrencyLimit(maxSockets);
    // keep-alive: a TLS or TCP handshake per GraphQL operation would cost more than the whole gateway.
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" }),
      https: new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" }),
    };
    const baseDelay = options.retryBaseDelayMs ?? 100;
    this.got = got.extend({
      prefixUrl: options.baseUrl,
      agent: this.agents,
      throwHttpErrors: false,
      responseType: "text",
      decompress: true,
      followRedirect: false,
      timeout: { request: options.timeoutMs },
      retry: {
        limit: Math.max(0, (options.maxAttempts ?? 3) - 1),
        methods: ["GET", "DELETE"],
        statusCodes: RETRY_STATUS,
        errorCodes: RETRY_ERRORS,
        calculateDelay: ({ computedValue, attemptCount }: RetryObject) => {
          if (computedValue === 0) return 0;
          const delay = baseDelay * 2 ** (attemptCount - 1) * (0.5 + Math.random());
          return Math.max(1, Math.round(delay));
        },
      },
      headers: { accept: "application/json", "user-agent": "referrals-gateway" },
    });
  }

  /** Observers of every finished upstream call (logs, metrics, per-operation counts). */
  onCall(listener: (event: UpstreamCallEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    const waitSeconds = this.rateLimit.secondsLeft(request.credentials.appId);
    if (waitSeconds > 0) {
      throw gatewayError(ErrorCode.RATE_LIMITED, "Voucherify's rate limit was reached; retry later.", {
        retryAfterSeconds: waitSeconds,
        upstream: { status: 429 },
      });
    }
    const started = performance.now();
    // One budget for queueing, every attempt and the backoff between them.
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let status: number | null = null;
    let release: (() => void) | undefined;
    try {
      release = await this.limit.acquire(signal);
      const response = await this.got(request.path, {
        method: request.method as Method,
        signal,
        headers: {
          "x-app-id": request.credentials.appId,
          "x-app-token": request.credentials.appToken,
          ...(request.requestId ? { "x-request-id": request.requestId } : {}),
        },
        ...(request.json === undefined ? {} : { json: request.json }),
      });
      status = response.statusCode;
      if (status === 429) {
        const seconds = retryAfterSeconds(response.headers);
        this.rateLimit.block(request.credentials.appId, seconds);
        throw errorFromResponse(status, response.body, seconds);
      }
      const retried = response.retryCount > 0;
      if (status >= 400 && !(request.method === "DELETE" && status === 404 && retried)) {
        throw errorFromResponse(status, response.body);
      }
      this.emit(request, status, started);
      return { status, body: response.body, retried };
    } catch (error) {
      const mapped = this.mapError(error, signal);
      this.emit(request, status, started, mapped);
      throw mapped;
    } finally {
      release?.();
    }
  }

  /** Closes idle keep-alive sockets (graceful shutdown). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  get inFlight(): number {
    return this.limit.inFlight;
  }

  private mapError(error: unknown, signal: AbortSignal): GraphQLError {
    if (isGraphQLError(error)) return error;
    const code = (error as { code?: string } | null)?.code;
    if (signal.aborted || code === "ETIMEDOUT") return timeoutError();
    return transportError(typeof code === "string" && /^E[A-Z_]+$/.test(code) ? code : undefined);
  }

  private emit(request: UpstreamRequest, status: number | null, started: number, error?: GraphQLError): void {
    if (this.listeners.size === 0) return;
    const upstream = error?.extensions.upstream as { requestId?: string } | undefined;
    const event: UpstreamCallEvent = {
      endpoint: request.endpoint,
      method: request.method,
      status,
      durationMs: performance.now() - started,
      requestId: request.requestId,
      ...(error ? { errorCode: (error.extensions.code as ErrorCode | undefined) ?? ErrorCode.UPSTREAM_ERROR } : {}),
      ...(upstream?.requestId ? { upstreamRequestId: upstream.requestId } : {}),
    };
    for (const listener of this.listeners) listener(event);
  }
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}
