import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { UNEXPECTED_ERROR_CODE } from "../errors/error-codes.js";
import { describeOperation, recordOperationOutcome } from "../observability/operation-span.js";
import { tracingOn } from "../observability/tracing.js";

function errorCodes(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? []).map((error) => {
    const code = error.extensions?.code;
    return typeof code === "string" ? code : UNEXPECTED_ERROR_CODE;
  });
}

function upstreamRequestIds(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  const ids = (errors ?? [])
    .map((error) => (error.extensions?.upstream as { requestId?: string } | undefined)?.requestId)
    .filter((id): id is string => typeof id === "string");
  return [...new Set(ids)];
}

/**
 * One log line and one set of metrics per operation: name, duration, upstream calls, outcome, request id, and for
 * failures the error codes plus Voucherify's request ids. Never variables or headers: they may carry personal data.
 */
export function operationObserverPlugin(options: { logger: Logger; metrics: GatewayMetrics }): ApolloServerPlugin<GatewayContext> {
  const { logger, metrics } = options;
  // The operation line has a fixed set of keys, none of them a path the logger redacts (src/observability/logger.ts): the redaction
  // pass (a copy of every line, about 7 µs) is skipped for it. Add a key here only if it can never hold a credential.
  const operationLog = logger.child({}, { redact: [] });
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ request, response, contextValue, operationName, operation }) {
          const durationMs = performance.now() - started;
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          const codes = errorCodes(errors);
          if (tracingOn()) {
            const persisted = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
            describeOperation({
              type: operation?.operation ?? null,
              name: operationName ?? null,
              documentId: typeof persisted === "string" ? persisted : null,
            });
            recordOperationOutcome({
              errorCodes: codes,
              upstreamCalls: contextValue?.voucherify.upstreamCalls,
              httpStatus: response.http.status ?? 200,
            });
          }
          const operationLabel = metrics.operationLabel(operationName ?? null);
          const outcome = codes.length === 0 ? "ok" : "error";
          metrics.operations.inc({ operation: operationLabel, outcome });
          metrics.observeOperation(operationLabel, durationMs / 1000);
          for (const code of codes) metrics.errors.inc({ code });
          const loaders = contextValue?.loaders;
          if (loaders) {
            if (loaders.holderPages.dedupeHits > 0) metrics.dedupeHits.inc({ loader: "holderPages" }, loaders.holderPages.dedupeHits);
            if (loaders.customers.dedupeHits > 0) metrics.dedupeHits.inc({ loader: "customers" }, loaders.customers.dedupeHits);
          }
          if (!operationLog.isLevelEnabled("info")) return;
          operationLog.info(
            {
              requestId: contextValue?.requestId,
              operationName: operationName ?? null,
              operationType: operation?.operation ?? null,
              durationMs: Math.round(durationMs * 100) / 100,
              upstreamCalls: contextValue?.voucherify.upstreamCalls ?? 0,
              status: response.http.status ?? 200,
              outcome,
              ...(codes.length > 0 ? { errorCodes: codes, upstreamRequestIds: upstreamRequestIds(errors) } : {}),
            },
            "graphql operation",
          );
        },
      };
    },
  };
}
