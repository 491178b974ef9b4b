import { createLogger, type Logger } from "../../src/observability/logger.js";

/** A real pino logger writing JSON lines into memory, so tests can read exactly what operators would see. */
export function captureLogs(
  level = "trace",
  options: { traceContext?: boolean } = {},
): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const logger = createLogger(level, { ...options, destination: { write: (chunk: string) => void chunks.push(chunk) } });
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
