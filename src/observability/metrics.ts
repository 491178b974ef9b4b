import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";
import { OperationLabels, type OperationLabelOptions } from "./operation-labels.js";
import { traceExemplar } from "./trace-exemplar.js";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the metrics keep of one upstream call (the data source's UpstreamCallEvent, which says more). */
export interface UpstreamCallSample {
  endpoint: string;
  method: string;
  status: number | null;
  durationMs: number;
}

/** A counter's or a histogram's series for one set of label values, bound once (prom-client's `labels()`). */
type CounterSeries = ReturnType<Counter<string>["labels"]>;
type HistogramSeries = ReturnType<Histogram<string>["labels"]>;

/**
 * The series one operation label records into, bound once for the label (a trusted document's at start) rather
 * than a label set built and checked for every answer. Labels are bounded (operation-labels.ts), and so are these.
 */
export interface OperationSeries {
  readonly label: string;
  readonly ok: CounterSeries;
  readonly error: CounterSeries;
  readonly duration: HistogramSeries;
}

/** The series of one upstream endpoint, method and status. */
interface UpstreamCallSeries {
  readonly requests: CounterSeries;
  readonly duration: HistogramSeries;
  readonly labels: { endpoint: string; status: string };
}

/** A histogram observation with the active sampled span as its exemplar, or without one through the bound series. */
function observeWithTrace(histogram: Histogram<string>, series: HistogramSeries, labels: Record<string, string>, value: number): void {
  const exemplarLabels = traceExemplar();
  // No sampled span (tracing off, or this request not sampled): prom-client would store no exemplar either.
  if (exemplarLabels.trace_id === undefined) series.observe(value);
  else histogram.observe({ labels, value, exemplarLabels });
}

/** Prometheus metrics of one gateway (its own registry, so several gateways in one process do not collide). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationLabels: OperationLabels;
  private readonly operationSeriesByLabel = new Map<string, OperationSeries>();
  private readonly errorSeriesByCode = new Map<string, CounterSeries>();
  private readonly upstreamCallSeries = new Map<string, UpstreamCallSeries>();

  readonly operations = new Counter({
    name: "gateway_operations_total",
    help: "GraphQL operations answered, by operation name and outcome (ok or error).",
    labelNames: ["operation", "outcome"] as const,
    registers: [this.registry],
  });
  // The latency histograms keep the trace id of a recent observation per bucket (an exemplar, served to OpenMetrics
  // scrapers only). prom-client accepts exemplar metrics only in an OpenMetrics registry at construction, so they
  // are registered by hand: this registry stays plain Prometheus text, exposition.ts serves the OpenMetrics form.
  readonly operationDuration = this.registered(
    new Histogram({
      name: "gateway_operation_duration_seconds",
      help: "Time from request to response, by operation name.",
      labelNames: ["operation"] as const,
      buckets: LATENCY_BUCKETS,
      enableExemplars: true,
      registers: [],
    }),
  );
  readonly errors = new Counter({
    name: "gateway_errors_total",
    help: "GraphQL errors sent to clients, by extensions.code.",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly upstreamRequests = new Counter({
    name: "gateway_upstream_requests_total",
    help: "Calls to Voucherify (retries included in one call), by endpoint, method and status (none: no HTTP answer).",
    labelNames: ["endpoint", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = this.registered(
    new Histogram({
      name: "gateway_upstream_request_duration_seconds",
      help: "Duration of calls to Voucherify, retries and queueing included, by endpoint and status.",
      labelNames: ["endpoint", "status"] as const,
      buckets: LATENCY_BUCKETS,
      enableExemplars: true,
      registers: [],
    }),
  );
  readonly upstreamQuotaPerMinute = new Gauge({
    name: "gateway_upstream_quota_per_minute",
    help: "The Voucherify plan's quota per minute shared by all replicas (VOUCHERIFY_QUOTA_PER_MINUTE); 0: not enforced.",
    registers: [this.registry],
  });
  readonly dedupeHits = new Counter({
    name: "gateway_dataloader_dedupe_hits_total",
    help: "Loads answered from a request's DataLoader cache instead of a new upstream call, by loader.",
    labelNames: ["loader"] as const,
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: "gateway_cache_lookups_total",
    help: "Cache lookups by cache (holders, customers) and result (hit, miss, bypass: Cache-Control: no-cache).",
    labelNames: ["cache", "result"] as const,
    registers: [this.registry],
  });
  readonly upstreamCallsSaved = new Counter({
    name: "gateway_cache_upstream_calls_saved_total",
    help: "Upstream calls not made: cache hits, and reads that joined the same read in flight in this replica.",
    labelNames: ["cache"] as const,
    registers: [this.registry],
  });
  readonly answerLookups = new Counter({
    name: "gateway_answer_cache_lookups_total",
    help:
      "Queries looked up among the answers kept whole, by operation name and result (hit: served without execution; miss; " +
      "bypass: Cache-Control: no-cache, the router's secret or inline traces).",
    labelNames: ["operation", "result"] as const,
    registers: [this.registry],
  });
  readonly cacheEntriesRejected = new Counter({
    name: "gateway_cache_entries_rejected_total",
    help:
      "Entries read back from Redis and not used, by entry (holders, customers, answers, generations, aliases) and reason " +
      "(foreign: written in another format, by another build; corrupt): each was a miss.",
    labelNames: ["entry", "reason"] as const,
    registers: [this.registry],
  });
  readonly cacheInvalidations = new Counter({
    name: "gateway_cache_invalidations_total",
    help: "Invalidations written by mutations, by scope (member, customers, tenant).",
    labelNames: ["scope"] as const,
    registers: [this.registry],
  });
  readonly upstreamRefusals = new Counter({
    name: "gateway_upstream_refusals_total",
    help: "Upstream calls refused with RATE_LIMITED before going out: backoff (after a 429) or quota (VOUCHERIFY_QUOTA_PER_MINUTE).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly sharedStateErrors = new Counter({
    name: "gateway_shared_state_errors_total",
    help: "Redis commands that failed or timed out (the gateway then serves uncached and unshared).",
    registers: [this.registry],
  });
  readonly sharedStateDegraded = new Gauge({
    name: "gateway_shared_state_degraded",
    help: "1 while Redis is unreachable or slow and the gateway serves uncached and unshared; 0 otherwise.",
    registers: [this.registry],
  });
  readonly callerBudgetRefusals = new Counter({
    name: "gateway_caller_budget_refusals_total",
    help: "Operations refused with RATE_LIMITED because their caller had spent its budget (CALLER_BUDGET_PER_MINUTE).",
    registers: [this.registry],
  });
  readonly authKeyFetchFailures = new Counter({
    name: "gateway_auth_key_fetch_failures_total",
    help: "Fetches of the token verification keys (AUTH_JWT_JWKS_URL) that failed: unreachable, too slow, not 200, or not a key set.",
    registers: [this.registry],
  });
  /** Lines the log destination has dropped so far (logger.ts's droppedLogLines), read at each scrape. */
  private readLogLinesDropped: () => number = () => 0;
  private logLinesDroppedSeen = 0;
  readonly logLinesDropped: Counter = new Counter({
    name: "gateway_log_lines_dropped_total",
    help: "Log lines dropped because stdout's reader did not keep up (LOG_MAX_BUFFERED_BYTES of output were waiting).",
    registers: [this.registry],
    collect: () => {
      const dropped = this.readLogLinesDropped();
      if (dropped > this.logLinesDroppedSeen) this.logLinesDropped.inc(dropped - this.logLinesDroppedSeen);
      this.logLinesDroppedSeen = dropped;
    },
  });
  /** The last /readyz answer; absent until the first check, so an unprobed replica raises no readiness alert. */
  private lastReadiness: boolean | null = null;

  constructor(options: { operationLabels?: OperationLabelOptions } = {}) {
    this.operationLabels = new OperationLabels(options.operationLabels);
    collectDefaultMetrics({ register: this.registry });
    this.registry.registerMetric(this.readinessMetric());
  }

  private registered<T extends Histogram<string>>(metric: T): T {
    this.registry.registerMetric(metric);
    return metric;
  }

  /** `gateway_ready`: 1 when the last readiness check passed, 0 when it failed (no sample before the first). */
  private readinessMetric(): Metric {
    const name = "gateway_ready";
    const help = "1 when the last readiness check (/readyz) passed, 0 when it failed; no sample before the first check.";
    const metric = {
      name,
      help,
      type: "gauge",
      get: async () => ({
        name,
        help,
        type: "gauge",
        aggregator: "omit",
        values: this.lastReadiness === null ? [] : [{ labels: {}, value: this.lastReadiness ? 1 : 0 }],
      }),
      reset: () => {
        this.lastReadiness = null;
      },
    };
    return metric as unknown as Metric;
  }

  /** Where gateway_log_lines_dropped_total reads its count: the logger's destination (one per process, for stdout). */
  countLogLinesDropped(read: () => number): void {
    this.readLogLinesDropped = read;
    this.logLinesDroppedSeen = 0;
    this.logLinesDropped.reset();
  }

  recordReadiness(ready: boolean): void {
    this.lastReadiness = ready;
  }

  /** The series of a client-chosen operation name, under its bounded label (operation-labels.ts). */
  operationSeries(name: string | null | undefined): OperationSeries {
    const label = this.operationLabels.label(name);
    let series = this.operationSeriesByLabel.get(label);
    if (series === undefined) {
      series = {
        label,
        ok: this.operations.labels(label, "ok"),
        error: this.operations.labels(label, "error"),
        duration: this.operationDuration.labels(label),
      };
      this.operationSeriesByLabel.set(label, series);
    }
    return series;
  }

  /** One answered operation: its outcome, its duration (with the trace as exemplar), its error codes. */
  recordOperation(series: OperationSeries, errorCodes: readonly string[], seconds: number): void {
    (errorCodes.length === 0 ? series.ok : series.error).inc();
    observeWithTrace(this.operationDuration, series.duration, { operation: series.label }, seconds);
    for (const code of errorCodes) {
      let errors = this.errorSeriesByCode.get(code);
      if (errors === undefined) {
        errors = this.errors.labels(code);
        this.errorSeriesByCode.set(code, errors);
      }
      errors.inc();
    }
  }

  recordUpstreamCall(event: UpstreamCallSample): void {
    const status = event.status === null ? "none" : String(event.status);
    const key = `${event.endpoint} ${event.method} ${status}`;
    let series = this.upstreamCallSeries.get(key);
    if (series === undefined) {
      series = {
        requests: this.upstreamRequests.labels(event.endpoint, event.method, status),
        duration: this.upstreamDuration.labels(event.endpoint, status),
        labels: { endpoint: event.endpoint, status },
      };
      this.upstreamCallSeries.set(key, series);
    }
    series.requests.inc();
    observeWithTrace(this.upstreamDuration, series.duration, series.labels, event.durationMs / 1000);
  }
}
