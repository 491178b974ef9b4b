import { createServer, type Server } from "node:http";
import { listen } from "../lib/listen.js";
import { EMULATOR_SETTINGS } from "../settings/emulator.js";
import { createRequestListener, type AppContext } from "./app.js";
import { FaultInjector, type FaultSpec, type RecordedRequest } from "./faults.js";
import { seedIfEmpty } from "./seed.js";
import { EmulatorStore } from "./store.js";

export type { FaultSpec, RecordedRequest } from "./faults.js";

/** The credentials the emulator accepts unless told others: EMULATOR_APP_ID's and EMULATOR_APP_TOKEN's defaults. */
export const DEFAULT_APP_ID: string = EMULATOR_SETTINGS.settings.EMULATOR_APP_ID.default;
export const DEFAULT_APP_TOKEN: string = EMULATOR_SETTINGS.settings.EMULATOR_APP_TOKEN.default;

export interface EmulatorOptions {
  port?: number; // 0 = ephemeral (the default)
  host?: string; // default 127.0.0.1
  dbFile?: string; // default ':memory:'
  appId?: string;
  appToken?: string;
  seed?: boolean; // default true: seed the demo program when the database is empty
  maxRecordedRequests?: number; // default 10_000: `requests` keeps (about) the latest this many
}

export interface EmulatorHandle {
  url: string; // http://HOST:PORT, no trailing slash
  appId: string;
  appToken: string;
  /** Every request received, in order, for tests that count upstream calls (only the latest ~maxRecordedRequests). */
  requests: RecordedRequest[];
  resetRequests(): void;
  /** Tests only: never reachable over HTTP or the environment. */
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Closes the server, its idle keep-alive sockets and the database. */
  stop(): Promise<void>;
}

/** Starts Voucherify's referral-holders contract on a real HTTP server backed by SQLite. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = opts.host ?? "127.0.0.1";
  const store = new EmulatorStore(opts.dbFile ?? ":memory:");
  if (opts.seed ?? true) seedIfEmpty(store);

  const ctx: AppContext = {
    store,
    appId: opts.appId ?? DEFAULT_APP_ID,
    appToken: opts.appToken ?? DEFAULT_APP_TOKEN,
    faults: new FaultInjector(),
    requests: [],
    maxRecordedRequests: opts.maxRecordedRequests ?? 10_000,
    timers: new Set(),
  };
  const server: Server = createServer(createRequestListener(ctx));
  // Longer than typical client idle timeouts (the gateway's agent: 30 s), so the client closes first and never
  // reuses a socket we are closing: the same reason load balancers use 60s+.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  let url: string;
  try {
    ({ url } = await listen(server, opts.port ?? 0, host));
  } catch (err) {
    store.close();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    url,
    appId: ctx.appId,
    appToken: ctx.appToken,
    requests: ctx.requests,
    resetRequests: () => {
      ctx.requests.length = 0; // same array: callers may hold a reference to handle.requests
    },
    injectFault: (fault) => ctx.faults.inject(fault),
    clearFaults: () => ctx.faults.clear(),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        for (const timer of ctx.timers) clearTimeout(timer);
        ctx.timers.clear();
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      })),
  };
}
