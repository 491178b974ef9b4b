import { createRequire } from "node:module";
import type { Pool as UndiciPool } from "undici";
import { ErrorCode } from "../errors/error-codes.js";
import { FixedDelayExpiry } from "../lib/fixed-delay-expiry.js";
import { upstreamErrorCode, upstreamRequestIdOf } from "./error-mapping.js";
import type { OperationScope } from "./operation-scope.js";
import type { UnsampledTrace } from "../observability/request-trace.js";
import { injectTraceHeaders, startUpstreamSpan, type UpstreamServer, type UpstreamSpan } from "../observability/upstream-span.js";
import { retryAfterSeconds } from "./retry-after.js";
import { UpstreamCall } from "./upstream-call.js";
import { exchange, MAX_UPSTREAM_BODY_BYTES, type Exchange } from "./upstream-exchange.js";
import { UpstreamError, UpstreamNetworkError, UpstreamStatusError, UpstreamTimeoutError } from "./upstream-errors.js";

/**
 * undici's pool alone: its package entry also loads fetch, WebSocket, EventSource and the cache API, about 3 MB of heap
 * (and more under load, which V8 sizes from what is live) that the gateway never uses.
 */
const Pool = createRequire(import.meta.url)("undici/lib/dispatcher/pool.js") as typeof UndiciPool;
type Pool = UndiciPool;

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
  /** The GraphQL operation this call serves: once it is over (deadline, client gone), its reads stop. */
  scope?: OperationScope;
  /** The request's trace when tracing is on and it is not sampled: its traceparent goes upstream (no span is made). */
  trace?: UnsampledTrace;
  /**
   * Asked just before the call leaves: on entry, when it reaches a connection (waiting for one can take long) and
   * before each retry. A refusal ends the call unsent. The client wires it to the shared upstream gate, which owns
   * the back-off after a 429; the transport itself remembers nothing between calls.
   */
  beforeSend?: () => UpstreamError | undefined;
}

export interface UpstreamResponse {
  status: number;
  body: string;
  /** True when the answer came from a retry: a DELETE retried after a lost reply may see 404 for its own success. */
  retried: boolean;
  /** The answer's headers (X-Rate-Limit-Remaining tells the shared quota gate the plan is spent). */
  headers?: Record<string, string | string[] | undefined>;
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
  /** The unsampled request's trace, for its log line (a sampled one's is the active span). */
  trace?: UnsampledTrace;
}

// 429 is not here: the caller's gate backs off for it (beforeSend), never by waiting inside a client's request.
const RETRY_STATUS = new Set([502, 503, 504]);
/** Network failures worth another attempt of an idempotent call: the request may never have arrived. */
const RETRY_ERRORS = new Set([
  "ETIMEDOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "EADDRINUSE",
]);
/** undici's error codes, as the failure classes clients see in `extensions.upstream.key` (Node's names). */
const UNDICI_CODES: Record<string, string> = {
  UND_ERR_SOCKET: "ECONNRESET",
  UND_ERR_CLOSED: "ECONNRESET",
  UND_ERR_DESTROYED: "ECONNRESET",
  UND_ERR_CONNECT_TIMEOUT: "ETIMEDOUT",
  UND_ERR_HEADERS_TIMEOUT: "ETIMEDOUT",
  UND_ERR_BODY_TIMEOUT: "ETIMEDOUT",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "ECONNRESET",
  UND_ERR_RES_EXCEEDED_MAX_SIZE: "EBODYTOOLARGE",
};
/** How long after a call's budget undici's own timeouts end a request the budget somehow did not (a backstop). */
const BACKSTOP_MARGIN_MS = 1000;
/** Abort reason, preallocated: an Error per call would build a stack trace per call. */
const BUDGET_SPENT = Object.freeze({ name: "UpstreamBudgetSpent" });
/** Idle keep-alive sockets are closed after this at most (sooner if the upstream's Keep-Alive header says so). */
const IDLE_SOCKET_MS = 30_000;

/**
 * The HTTP layer under VoucherifyClient, on undici: one connection pool per process (keep-alive, at most
 * `maxConcurrency` connections, further calls queued), a total time budget per call (queueing, every attempt and
 * the backoff between them) and retries for idempotent methods only. A 429 leaves as a typed UpstreamStatusError
 * with its retry time: the caller's gate (src/shared-state/upstream-gate.ts) records the back-off and answers the
 * `beforeSend` hook of later calls. Failures leave it as typed errors (upstream-errors.ts); anything else thrown
 * here is a bug and is passed on untouched.
 *
 * undici's retry interceptor is not used: it retries 429 by waiting inside the call, ends exhausted retries with
 * its own error instead of the last answer, knows no budget shared with queueing, and cannot tell the caller that
 * an answer came from a retry (a retried DELETE's 404 is its own success).
 */
export class UpstreamTransport {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly listeners = new Set<(event: UpstreamCallEvent) => void>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  /** Where the upstream is, for the client spans (tracing only). */
  private readonly server: UpstreamServer;
  /**
   * Every call's time budget (`timeoutMs` for queueing, every attempt and the backoff between them), under one timer.
   * undici's headersTimeout and bodyTimeout (set below, as backstops) cannot be the budget: they start when a request
   * is written, so they leave out the wait for a connection, and they know nothing of retries.
   */
  private readonly budgets: FixedDelayExpiry<UpstreamCall>;
  private active = 0;

  constructor(private readonly options: TransportOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("upstream URL must be http or https");
    this.basePath = url.pathname.replace(/\/+$/, "");
    const scheme = url.protocol.slice(0, -1);
    this.server = { address: url.hostname, port: Number(url.port) || (scheme === "https" ? 443 : 80), scheme };
    // keep-alive: a TLS or TCP handshake per GraphQL operation would cost more than the whole gateway.
    this.pool = new Pool(url.origin, {
      connections: options.maxConcurrency ?? 64,
      keepAliveTimeout: IDLE_SOCKET_MS,
      keepAliveMaxTimeout: IDLE_SOCKET_MS,
      // Backstops only, a second after the call's own budget (timeoutMs): with the same delay, undici's timer could
      // fire first and a spent budget would be reported as a network error (UPSTREAM_ERROR) instead of UPSTREAM_TIMEOUT.
      headersTimeout: options.timeoutMs + BACKSTOP_MARGIN_MS,
      bodyTimeout: options.timeoutMs + BACKSTOP_MARGIN_MS,
      maxResponseSize: MAX_UPSTREAM_BODY_BYTES,
    });
    this.budgets = new FixedDelayExpiry(options.timeoutMs, (call) => call.abort(BUDGET_SPENT));
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.baseDelayMs = options.retryBaseDelayMs ?? 100;
  }

  /** Observers of every finished upstream call (logs, metrics, per-operation counts). */
  onCall(listener: (event: UpstreamCallEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    const started = performance.now();
    let status: number | null = null;
    const span = startUpstreamSpan(request.method, request.path, request.endpoint, this.server);
    const attempts = { count: 0 };
    // An abandoned operation stops spending the upstream's quota: its queued and in-flight reads end now. Writes
    // already asked for run to their end, so their outcome is known (and logged) rather than left in doubt.
    const scope = request.method === "GET" ? request.scope : undefined;
    const refusal = scope?.isOver ? new UpstreamTimeoutError() : request.beforeSend?.();
    if (refusal) {
      this.emit(request, refusal.status, started, refusal);
      span?.end({ status: null, attempts: 0, errorCode: upstreamErrorCode(refusal), sent: false });
      throw refusal;
    }
    // One budget for queueing, every attempt and the backoff between them (this.budgets).
    const call = new UpstreamCall();
    this.budgets.add(call);
    let bodyBytes: number | undefined;
    scope?.track(call);
    this.active++;
    try {
      const { response, retried } = await this.exchangeWithRetries(request, call, span, attempts);
      status = response.status;
      // The decoded body's size (after any content-encoding), counted only for a span.
      if (span) bodyBytes = Buffer.byteLength(response.body);
      if (status === 429) {
        const seconds = retryAfterSeconds(response.headers);
        span?.rateLimited(seconds);
        throw new UpstreamStatusError(status, response.body, seconds);
      }
      // Anything but 2xx is a failure, redirects included: a 301 to https must never read as a done DELETE.
      const success = (status >= 200 && status < 300) || (request.method === "DELETE" && status === 404 && retried);
      if (!success) throw new UpstreamStatusError(status, response.body);
      this.emit(request, status, started);
      span?.end({ status, attempts: attempts.count, bodyBytes, sent: true });
      return { status, body: response.body, retried, headers: response.headers };
    } catch (error) {
      const typed = this.typed(error, call);
      this.emit(request, status, started, typed);
      if (span) {
        const errorCode = typed instanceof UpstreamError ? upstreamErrorCode(typed) : "UPSTREAM_ERROR";
        span.end({ status, attempts: attempts.count, bodyBytes, errorCode, sent: attempts.count > 0 });
      }
      throw typed;
    } finally {
      this.active--;
      this.budgets.remove(call);
      scope?.untrack(call);
    }
  }

  /** GET and DELETE are retried on network errors and 502/503/504; POST never (a lost reply may be a success). */
  private async exchangeWithRetries(
    request: UpstreamRequest,
    call: UpstreamCall,
    span: UpstreamSpan | null,
    attempts: { count: number },
  ): Promise<{ response: Exchange; retried: boolean }> {
    const idempotent = request.method !== "POST";
    // A body that cannot be serialised (a BigInt) is a bug in the gateway: it throws here, untyped, and is reported as one.
    const body = request.json === undefined ? undefined : JSON.stringify(request.json);
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": "referrals-gateway",
      "x-app-id": request.credentials.appId,
      "x-app-token": request.credentials.appToken,
    };
    if (request.requestId) headers["x-request-id"] = request.requestId;
    if (body !== undefined) headers["content-type"] = "application/json";
    injectTraceHeaders(headers, span, request.trace);
    const { beforeSend } = request;
    const options = {
      method: request.method,
      path: `${this.basePath}/${request.path}`,
      headers,
      body,
      call,
      // A 429 may have arrived while this call waited for a connection.
      refuseOnStart: beforeSend,
    };
    for (let attempt = 1; ; attempt++) {
      const mayRetry = idempotent && attempt < this.maxAttempts;
      let response: Exchange;
      attempts.count = attempt;
      try {
        response = await exchange(this.pool, options);
      } catch (error) {
        if (call.aborted || !mayRetry || !RETRY_ERRORS.has(networkCode(error) ?? "")) throw error;
        if (!(await this.backoff(attempt, call))) throw error;
        throwIfRefused(beforeSend);
        span?.retry(attempt + 1, networkCode(error) ?? "network");
        continue;
      }
      if (!mayRetry || !RETRY_STATUS.has(response.status) || !(await this.backoff(attempt, call))) {
        return { response, retried: attempt > 1 };
      }
      throwIfRefused(beforeSend);
      span?.retry(attempt + 1, String(response.status));
    }
  }

  /**
   * Waits before the next attempt (exponential, with jitter so replicas do not retry in step). False when the wait
   * would outlast the budget: the caller then reports what it has rather than a timeout.
   */
  private async backoff(attempt: number, call: UpstreamCall): Promise<boolean> {
    const wait = Math.max(1, Math.round(this.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
    if (performance.now() + wait >= call.expiresAt) return false;
    await call.pause(wait);
    return true;
  }

  /** Closes the pool's sockets; call after the server has drained (graceful shutdown). */
  close(): void {
    void this.pool.destroy().catch(() => undefined);
  }

  /** Upstream calls in progress (queued for a connection, in flight or between attempts). */
  get inFlight(): number {
    return this.active;
  }

  /** The typed family for what went wrong upstream; anything else (a bug) is passed on as it is. */
  private typed(error: unknown, call: UpstreamCall): unknown {
    if (error instanceof UpstreamError) return error;
    if (call.aborted) return new UpstreamTimeoutError({ cause: error });
    const code = networkCode(error);
    return code === undefined ? error : new UpstreamNetworkError(code, { cause: error });
  }

  private emit(request: UpstreamRequest, status: number | null, started: number, error?: unknown): void {
    if (this.listeners.size === 0) return;
    const upstream = error instanceof UpstreamError ? error : undefined;
    const upstreamRequestId = upstream && upstreamRequestIdOf(upstream);
    const event: UpstreamCallEvent = {
      endpoint: request.endpoint,
      method: request.method,
      status,
      durationMs: performance.now() - started,
      requestId: request.requestId,
      trace: request.trace,
      // A failure that is not the upstream's (a bug) still counts as a failed call, as UPSTREAM_ERROR.
      ...(error !== undefined ? { errorCode: upstream ? upstreamErrorCode(upstream) : ErrorCode.UPSTREAM_ERROR } : {}),
      ...(upstreamRequestId ? { upstreamRequestId } : {}),
    };
    for (const listener of this.listeners) listener(event);
  }
}

function throwIfRefused(beforeSend: UpstreamRequest["beforeSend"]): void {
  const refusal = beforeSend?.();
  if (refusal) throw refusal;
}

/** The network failure class of a thrown error (Node's `E...` codes, undici's mapped to them); undefined for anything else. */
function networkCode(error: unknown): string | undefined {
  if (error instanceof UpstreamNetworkError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  return UNDICI_CODES[code] ?? (/^E[A-Z_]+$/.test(code) ? code : undefined);
}
