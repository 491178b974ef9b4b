import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { UpstreamCallEvent } from "../voucherify/transport.js";
import { OperationLabels, type OperationLabelOptions } from "./operation-labels.js";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Prometheus metrics of one gateway (its own registry, so several gateways in one process do not collide). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationLabels: OperationLabels;

  readonly operations = new Counter({
    name: "gateway_operations_total",
    help: "GraphQL operations answered, by operation name and outcome (ok or error).",
    labelNames: ["operation", "outcome"] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: "gateway_operation_duration_seconds",
    help: "Time from request to response, by operation name.",
    labelNames: ["operation"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
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
  readonly upstreamDuration = new Histogram({
    name: "gateway_upstream_request_duration_seconds",
    help: "Duration of calls to Voucherify, retries and queueing included, by endpoint and status.",
    labelNames: ["endpoint", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly dedupeHits = new Counter({
    name: "gateway_dataloader_dedupe_hits_total",
    help: "Loads answered from a request's DataLoader cache instead of a new upstream call, by loader.",
    labelNames: ["loader"] as const,
    registers: [this.registry],
  });

  constructor(options: { operationLabels?: OperationLabelOptions } = {}) {
    this.operationLabels = new OperationLabels(options.operationLabels);
    collectDefaultMetrics({ register: this.registry });
  }

  /** A bounded label for a client-chosen operation name (operation-labels.ts). */
  operationLabel(name: string | null | undefined): string {
    return this.operationLabels.label(name);
  }

  recordUpstreamCall(event: UpstreamCallEvent): void {
    const status = event.status === null ? "none" : String(event.status);
    this.upstreamRequests.inc({ endpoint: event.endpoint, method: event.method, status });
    this.upstreamDuration.observe({ endpoint: event.endpoint, status }, event.durationMs / 1000);
  }
}
