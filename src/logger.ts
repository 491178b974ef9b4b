import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Credentials are redacted by path wherever they could appear, as a second line of
 * defence: the code never logs headers or upstream URLs in the first place.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: { pretty?: boolean } = {}): Logger {
  // Pretty output is for a developer's terminal only: it runs in a worker thread and is not for log pipelines.
  const transport = options.pretty && !destination ? pino.transport({ target: "pino-pretty", options: { colorize: true } }) : destination;
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
