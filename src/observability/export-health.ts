import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "./logger.js";

/**
 * The exporter, with its failures told to the operator the way Redis outages are: one warning when exports start
 * failing (with the error's class and status, never its message: it may quote the collector URL or headers), one
 * line when they work again. The SDK itself stays silent (no diagnostic logger is installed), and drops the spans.
 */
export function withExportHealth(exporter: SpanExporter, logger: Logger): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          if (failing) logger.info("trace export recovered");
          failing = false;
        } else if (!failing) {
          failing = true;
          // OTLPExporterError carries the collector's HTTP status as `code`; network errors a Node code (ECONNREFUSED).
          const { error } = result;
          const rawCode = error && "code" in error ? error.code : undefined;
          const code = typeof rawCode === "number" || typeof rawCode === "string" ? String(rawCode) : undefined;
          logger.warn(
            {
              errorName: error?.name ?? "unknown",
              ...(code !== undefined ? { errorCode: code } : {}),
              droppedSpans: spans.length,
            },
            "trace export failed; spans are dropped until the collector answers",
          );
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
