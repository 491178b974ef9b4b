import http from "node:http";
import https from "node:https";
import { setTimeout as delay } from "node:timers/promises";
import type { GraphQLError } from "graphql";
import { ErrorCode, gatewayError } from "../errors.js";
import { ConcurrencyLimit } from "./concurrency-limit.js";
import { errorFromResponse, timeoutError, transportError } from "./error-mapping.js";
import { exchange, parseOrigin, type Exchange, type Origin } from "./http-exchange.js";
import type { OperationScope } from "./operation-scope.js";
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
  /** The GraphQL operation this call serves: once it is over (deadline, client gone), its reads stop. */
  scope?: OperationScope;
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
}

// 429 is not here: the rate-limit guard handles it, never by waiting inside a client's request.
const RETRY_STATUS = new Set([502, 503, 504]);
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
/** Abort reason, preallocated: abort() without one builds a DOMException with a stack trace per call. */
const BUDGET_SPENT = Object.freeze({ name: "UpstreamBudgetSpent" });
/** Idle keep-alive sockets are closed after this, before a load balancer upstream closes them under a request. */
const IDLE_SOCKET_MS = 30_000;

/**
 * The HTTP layer under VoucherifyClient: one keep-alive agent per process, a total time budget per call (queueing,
 * every attempt and the backoff between them), retries for idempotent methods only, a concurrency cap and a 429
 * guard. Errors leave it already mapped to the gateway's error table, carrying no URL, header or credential.
 */
export class UpstreamTransport {
  private readonly origin: Origin;
  private readonly agent: http.Agent;
  private readonly limit: ConcurrencyLimit;
  private readonly rateLimit = new RateLimitGuard();
  private readonly listeners = new Set<(event: UpstreamCallEvent) => void>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: TransportOptions) {
    const maxSockets = options.maxConcurrency ?? 64;
    this.limit = new ConcurrencyLimit(maxSockets);
    this.origin = parseOrigin(options.baseUrl);
    // keep-alive: a TLS or TCP handshake per GraphQL operation would cost more than the whole gateway.
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" as const, timeout: IDLE_SOCKET_MS };
    this.agent = this.origin.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.baseDelayMs = options.retryBaseDelayMs ?? 100;
  }

  /** Observers of every finished upstream call (logs, metrics, per-operation counts). */
  onCall(listener: (event: UpstreamCallEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fails fast while the upstream's last 429 for these credentials still applies. */
  private failIfRateLimited(request: UpstreamRequest): void {
    const waitSeconds = this.rateLimit.secondsLeft(request.credentials.appId);
    if (waitSeconds > 0) {
      throw gatewayError(ErrorCode.RATE_LIMITED, "Voucherify's rate limit was reached; retry later.", {
        retryAfterSeconds: waitSeconds,
        upstream: { status: 429 },
      });
    }
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    this.failIfRateLimited(request);
    // An abandoned operation stops spending the upstream's quota: its queued and in-flight reads end now. Writes
    // already asked for run to their end, so their outcome is known (and logged) rather than left in doubt.
    const scope = request.method === "GET" ? request.scope : undefined;
    if (scope?.isOver) throw timeoutError();
    const started = performance.now();
    // One budget for queueing, every attempt and the backoff between them. A cleared timer, not
    // AbortSignal.timeout: that one stays armed until it fires, keeping timeoutMs worth of timers alive.
    const deadline = Date.now() + this.options.timeoutMs;
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(BUDGET_SPENT), this.options.timeoutMs);
    const signal = budget.signal;
    scope?.track(budget);
    let status: number | null = null;
    let release: (() => void) | undefined;
    try {
      release = await this.limit.acquire(signal);
      // A 429 may have arrived while this call waited for a slot.
      this.failIfRateLimited(request);
      const { response, retried } = await this.exchangeWithRetries(request, signal, deadline);
      status = response.status;
      if (status === 429) {
        const seconds = retryAfterSeconds(response.headers);
        this.rateLimit.block(request.credentials.appId, seconds);
        throw errorFromResponse(status, response.body, seconds);
      }
      // Anything but 2xx is a failure, redirects included: a 301 to https must never read as a done DELETE.
      const success = (status >= 200 && status < 300) || (request.method === "DELETE" && status === 404 && retried);
      if (!success) {
        throw errorFromResponse(status, response.body);
      }
      this.emit(request, status, started);
      return { status, body: response.body, retried, headers: response.headers };
    } catch (error) {
      const mapped = this.mapError(error, signal);
      this.emit(request, status, started, mapped);
      throw mapped;
    } finally {
      clearTimeout(timer);
      scope?.untrack(budget);
      release?.();
    }
  }

  /** GET and DELETE are retried on network errors and 502/503/504; POST never (a lost reply may be a success). */
  private async exchangeWithRetries(
    request: UpstreamRequest,
    signal: AbortSignal,
    deadline: number,
  ): Promise<{ response: Exchange; retried: boolean }> {
    const idempotent = request.method !== "POST";
    const body = request.json === undefined ? undefined : JSON.stringify(request.json);
    const headers: http.OutgoingHttpHeaders = {
      accept: "application/json",
      "user-agent": "referrals-gateway",
      "x-app-id": request.credentials.appId,
      "x-app-token": request.credentials.appToken,
    };
    if (request.requestId) headers["x-request-id"] = request.requestId;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    for (let attempt = 1; ; attempt++) {
      const mayRetry = idempotent && attempt < this.maxAttempts;
      let response: Exchange;
      try {
        response = await exchange(this.origin, this.agent, { method: request.method, path: request.path, headers, body, signal });
      } catch (error) {
        if (signal.aborted || !mayRetry || !RETRY_ERRORS.has((error as { code?: string }).code ?? "")) throw error;
        if (!(await this.backoff(attempt, signal, deadline))) throw error;
        this.failIfRateLimited(request);
        continue;
      }
      if (!mayRetry || !RETRY_STATUS.has(response.status) || !(await this.backoff(attempt, signal, deadline))) {
        return { response, retried: attempt > 1 };
      }
      this.failIfRateLimited(request);
    }
  }

  /**
   * Waits before the next attempt (exponential, with jitter so replicas do not retry in step). False when the wait
   * would outlast the budget: the caller then reports what it has rather than a timeout.
   */
  private async backoff(attempt: number, signal: AbortSignal, deadline: number): Promise<boolean> {
    const wait = Math.max(1, Math.round(this.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
    if (Date.now() + wait >= deadline) return false;
    await delay(wait, undefined, { signal });
    return true;
  }

  /** Closes the agent's sockets; call after the server has drained (graceful shutdown). */
  close(): void {
    this.agent.destroy();
  }

  get inFlight(): number {
    return this.limit.inFlight;
  }

  private mapError(error: unknown, signal: AbortSignal): GraphQLError {
    if (isGraphQLError(error)) return error;
    const code = (error as { code?: string } | null)?.code;
    if (signal.aborted) return timeoutError();
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
