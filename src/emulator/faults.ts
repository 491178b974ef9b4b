/** What the emulator remembers of each request: enough for tests to count and inspect upstream calls. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string; // raw query string without "?", "" when none
  /** The caller's x-request-id header, if any: lets tests see that the gateway forwards its request id. */
  requestId?: string;
  /** The caller's W3C `traceparent`, if any: lets tests follow a trace across the hop to the upstream. */
  traceparent?: string;
}

/**
 * A test-only misbehaviour. With `status`, the emulator answers it (raw `body`, extra `headers`) instead of the
 * real handler; with only `latencyMs`, it answers normally but late; `dropConnection` destroys the socket unanswered.
 */
export interface FaultSpec {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** The answer waits for this promise (then for the rest of the fault, or the real handler). */
  holdUntil?: Promise<unknown>;
  dropConnection?: boolean;
  /**
   * The real handler answers, as Voucherify does when this call used the plan's last request: its status (200),
   * `X-Rate-Limit-Remaining: 0` and `X-Rate-Limit-Retry` (when the plan resets, Unix seconds) this many seconds ahead.
   */
  planSpentForSeconds?: number;
  /** "drop": the real handler runs (a write is applied), then the socket is destroyed unanswered: a lost reply. */
  afterHandler?: "drop";
  times?: number; // default: until cleared
  match?: (request: RecordedRequest) => boolean;
}

/**
 * Faults live only in this in-process object, reachable through the EmulatorHandle: no route or environment variable
 * can switch them on, so a running demo can never be made to misbehave from outside.
 */
export class FaultInjector {
  private faults: { spec: FaultSpec; remaining: number }[] = [];

  inject(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first active fault matching this request, counting one use of it. */
  take(request: RecordedRequest): FaultSpec | undefined {
    if (this.faults.length === 0) return undefined;
    const index = this.faults.findIndex((fault) => !fault.spec.match || fault.spec.match(request));
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (--fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.spec;
  }
}
