import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics, OperationSeries } from "../observability/metrics.js";
import { errorCodeOf } from "../errors/error-codes.js";
import { describeOperation, recordOperationOutcome } from "../observability/operation-span.js";
import { tracingOn } from "../observability/tracing.js";

function errorCodes(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? []).map(errorCodeOf);
}

function upstreamRequestIds(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  const ids = (errors ?? [])
    .map((error) => (error.extensions?.upstream as { requestId?: string } | undefined)?.requestId)
    .filter((id): id is string => typeof id === "string");
  return [...new Set(ids)];
}

/** One answered operation, as both execution paths (Apollo's and the trusted documents' fast path) report it. */
export interface AnsweredOperation {
  /** performance.now() when the request started. */
  startedAt: number;
  operationName: string | null;
  /** The metrics series of operationName, when the caller has them already (trusted documents bind them at start). */
  operationSeries?: OperationSeries;
  operationType: string | null;
  /** The trusted document's id, or the persisted query's hash: names the operation's span, never its variables. */
  documentId?: string | null;
  status: number;
  errors: readonly GraphQLFormattedError[] | undefined;
  context: GatewayContext | undefined;
}

/** The operation's log line: a fixed set of keys (see OperationObserver), none of them personal data. */
interface OperationLine {
  requestId: string | undefined;
  operationName: string | null;
  operationType: string | null;
  durationMs: number;
  upstreamCalls: number;
  keptAnswer: "hit" | "miss" | "bypass" | undefined;
  status: number;
  outcome: "ok" | "error";
  errorCodes?: string[];
  upstreamRequestIds?: string[];
  trace_id?: string;
  span_id?: string;
}

/**
 * One log line and one set of metrics per operation: name, duration, upstream calls, outcome, request id, and for
 * failures the error codes plus Voucherify's request ids. Never variables or headers: they may carry personal data.
 */
export class OperationObserver {
  // The operation line has a fixed set of keys, none of them a path the logger redacts (src/observability/logger.ts): the redaction
  // pass (a copy of every line, about 7 µs) is skipped for it. Add a key here only if it can never hold a credential.
  private readonly operationLog: Logger;

  constructor(private readonly options: { logger: Logger; metrics: GatewayMetrics }) {
    this.operationLog = options.logger.child({}, { redact: [] });
  }

  observe(answered: AnsweredOperation): void {
    const { metrics } = this.options;
    const { errors, context, operationName } = answered;
    const durationMs = performance.now() - answered.startedAt;
    const codes = errorCodes(errors);
    const outcome = codes.length === 0 ? "ok" : "error";
    if (tracingOn()) {
      describeOperation({ type: answered.operationType, name: operationName, documentId: answered.documentId ?? null });
      recordOperationOutcome({ errorCodes: codes, upstreamCalls: context?.voucherify.upstreamCalls, httpStatus: answered.status });
    }
    const series = answered.operationSeries ?? metrics.operationSeries(operationName);
    // With the active span's trace id as an exemplar (OpenMetrics scrapes), so a slow bucket leads to its trace.
    metrics.recordOperation(series, codes, durationMs / 1000);
    const keptAnswer = context?.keptAnswer;
    if (keptAnswer) metrics.answerLookups.inc({ operation: series.label, result: keptAnswer });
    // An answer kept whole was served without execution: nothing was loaded (and asking would make the loaders).
    const loaders = keptAnswer === "hit" ? undefined : context?.loaders;
    if (loaders) {
      if (loaders.holderPages.dedupeHits > 0) metrics.dedupeHits.inc({ loader: "holderPages" }, loaders.holderPages.dedupeHits);
      if (loaders.customers.dedupeHits > 0) metrics.dedupeHits.inc({ loader: "customers" }, loaders.customers.dedupeHits);
    }
    if (!this.operationLog.isLevelEnabled("info")) return;
    const line: OperationLine = {
      requestId: context?.requestId,
      operationName,
      operationType: answered.operationType,
      durationMs: Math.round(durationMs * 100) / 100,
      upstreamCalls: context?.voucherify.upstreamCalls ?? 0,
      // hit, miss or bypass among the answers kept whole (absent: not a query, or refused before the lookup).
      keptAnswer,
      status: answered.status,
      outcome,
    };
    if (codes.length > 0) {
      line.errorCodes = codes;
      line.upstreamRequestIds = upstreamRequestIds(errors);
    }
    // A sampled request's ids come from its active span (the logger's mixin); an unsampled one enters no trace
    // context, so its ids are named here (src/observability/request-trace.ts).
    const trace = context?.trace;
    if (trace) {
      line.trace_id = trace.traceId;
      line.span_id = trace.spanId;
    }
    this.operationLog.info(line, "graphql operation");
  }
}

/** Apollo Server's adapter for the OperationObserver: one observation per response it sends. */
export function operationObserverPlugin(observer: OperationObserver): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ request, response, contextValue, operationName, operation }) {
          const persisted = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
          observer.observe({
            startedAt,
            operationName: operationName ?? null,
            operationType: operation?.operation ?? null,
            documentId: typeof persisted === "string" ? persisted : null,
            status: response.http.status ?? 200,
            errors: response.body.kind === "single" ? response.body.singleResult.errors : undefined,
            context: contextValue,
          });
        },
      };
    },
  };
}
