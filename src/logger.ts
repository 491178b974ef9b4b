import { createRequire } from "node:module";
import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Credentials are redacted by path wherever they could appear, as a second line of
 * defence: the code never logs headers or upstream URLs in the first place.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: { pretty?: boolean } = {}): Logger {
  // Pretty output is for a developer's terminal only: it runs in a worker thread and is not for log pipelines.
  // Otherwise stdout, written asynchronously: lines logged while a write is in flight go out together in the next one,
  // so under load a log line costs no write of its own (one sync write per operation was ~4% of the gateway's CPU,
  // test/bench). Lines still pending are written when the process exits (pino flushes on exit).
  // pino-pretty is a development dependency: an install without it (npm ci --omit=dev) logs JSON even on a terminal.
  const transport =
    options.pretty && !destination && prettyPrinterInstalled()
      ? pino.transport({ target: "pino-pretty", options: { colorize: true } })
      : (destination ?? pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level,
      base: undefined,
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
    transport,
  );
}

function prettyPrinterInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}
