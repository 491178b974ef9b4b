import { createRequire } from "node:module";
import { context, trace } from "@opentelemetry/api";
import { pino, type Logger } from "pino";
import { LogDestination } from "./log-destination.js";

export type { Logger };

/** `trace_id` and `span_id` of the span active where the line is logged (a request's), so logs join their trace. */
function traceContext(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Each logger that writes to stdout, with its destination: how many lines it dropped, and the flush before exit. */
const stdoutDestinations = new WeakMap<Logger, LogDestination>();
/** stdout is one per process, and so is what waits for its reader: every logger writing there shares it. */
let stdoutDestination: LogDestination | null = null;

export interface LoggerOptions {
  /** Where lines go instead of stdout (tests read them there). */
  destination?: pino.DestinationStream;
  /** Pretty lines for a developer's terminal (stdout only, and only with pino-pretty installed). */
  pretty?: boolean;
  /** Lines logged inside a request carry its trace and span ids (tracing on). */
  traceContext?: boolean;
  /** stdout: bytes of lines waiting for the reader, at most (LOG_MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
}

/**
 * Structured JSON logs. Credentials are redacted by path wherever they could appear, as a second line of
 * defence: the code never logs headers or upstream URLs in the first place. With `traceContext` (tracing on), lines
 * logged inside a request carry its trace and span ids; without it the mixin is not installed and costs nothing.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { destination } = options;
  // Pretty output is for a developer's terminal only: it runs in a worker thread and is not for log pipelines.
  // pino-pretty is a development dependency: an install without it (npm ci --omit=dev) logs JSON even on a terminal.
  // Otherwise stdout, through a destination that never makes the gateway wait for the reader (log-destination.ts).
  const pretty = options.pretty && !destination && prettyPrinterInstalled();
  const stdout = pretty || destination ? null : (stdoutDestination ??= new LogDestination(process.stdout));
  if (stdout && options.maxBufferedBytes !== undefined) stdout.maxBufferedBytes = options.maxBufferedBytes;
  const logger = pino(
    {
      level,
      base: undefined,
      ...(options.traceContext ? { mixin: traceContext } : {}),
      redact: {
        paths: [
          "appToken",
          "*.appToken",
          "credentials",
          "*.credentials",
          'headers["x-app-token"]',
          'headers["x-app-id"]',
          '*.headers["x-app-token"]',
          '*.headers["x-app-id"]',
          "headers.authorization",
          "*.headers.authorization",
        ],
        censor: "[redacted]",
      },
    },
    pretty ? pino.transport({ target: "pino-pretty", options: { colorize: true } }) : (destination ?? stdout!),
  );
  if (stdout) {
    stdoutDestinations.set(logger, stdout);
    stdout.onResumed = (dropped) =>
      logger.warn({ droppedLines: dropped }, `${dropped} log lines were dropped while stdout's reader was not reading`);
  }
  return logger;
}

/** Log lines `logger` dropped so far because stdout's reader did not keep up (0 for any other destination). */
export function droppedLogLines(logger: Logger): number {
  return stdoutDestinations.get(logger)?.dropped ?? 0;
}

/** Before the process exits: the lines logged so far written, waiting for a reader at most `timeoutMs`. */
export function flushLogs(logger: Logger, timeoutMs: number): Promise<void> {
  return stdoutDestinations.get(logger)?.flushWithin(timeoutMs) ?? Promise.resolve();
}

function prettyPrinterInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}
