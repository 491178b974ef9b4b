import { existsSync, readFileSync } from "node:fs";
import { NO_APP_DEPLOYMENTS_DIR } from "./app-deployments.js";
import { launch, type Launched } from "./child-process.js";

/** The compiled entry point, as operators run it (`npm test` builds it before jest). */
export const GATEWAY_MAIN = "dist/src/main.js";

/** The gateway (or a replica of it) in a process of its own: its memory is its own, measured from /proc. */
export interface GatewayProcess extends Launched {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** http://127.0.0.1:port/graphql */
  graphqlUrl: string;
  /** Resident memory now (VmRSS). */
  rssBytes: () => number;
  /**
   * What its JavaScript holds once garbage is collected (two full collections, then process.memoryUsage()), asked by
   * SIGUSR2: started with `memoryProbe` only.
   */
  memoryAfterGc: () => Promise<NodeJS.MemoryUsage>;
}

const MEMORY_LINE = "memory after gc: ";
/** Loaded before the gateway (`node --expose-gc --import`): on SIGUSR2, collects garbage and prints what is left. */
const MEMORY_PROBE = `data:text/javascript,${encodeURIComponent(`
process.on("SIGUSR2", () => {
  gc();
  gc();
  process.stdout.write(${JSON.stringify(MEMORY_LINE)} + JSON.stringify(process.memoryUsage()) + "\\n");
});`)}`;

/**
 * What every test gateway gets unless `env` says otherwise: an ephemeral port, warnings only, the embedded emulator in
 * memory (allowed in production: these suites test the gateway's process, not a deployment), no per-caller budget
 * (tests send many requests as one caller) and no app deployments registry of a developer's.
 */
const TEST_DEFAULTS = {
  PORT: "0",
  LOG_LEVEL: "warn",
  EMULATOR_DB: ":memory:",
  EMULATOR_IN_PRODUCTION: "true",
  CALLER_BUDGET_PER_MINUTE: "0",
  APP_DEPLOYMENTS_DIR: NO_APP_DEPLOYMENTS_DIR,
};

/**
 * Starts `main` (the built gateway) with `env` over TEST_DEFAULTS (plus PATH and HOME only), and resolves once it
 * prints its URL. `nodeArgs` go before `main`; `memoryProbe`: memoryAfterGc() answers. stop() sends SIGTERM (the
 * gateway drains) unless told another signal.
 */
export async function startGatewayProcess(
  env: Record<string, string | undefined>,
  options: { main?: string; nodeArgs?: string[]; memoryProbe?: boolean } = {},
): Promise<GatewayProcess> {
  const main = options.main ?? GATEWAY_MAIN;
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does).`);
  const nodeArgs = [...(options.nodeArgs ?? []), ...(options.memoryProbe ? ["--expose-gc", "--import", MEMORY_PROBE] : [])];
  const gateway = launch(process.execPath, [...nodeArgs, main], { env: { ...TEST_DEFAULTS, ...env } });
  const [, url] = await gateway.waitFor(/ready at (http:\/\/[^/\s]+)\/graphql/);
  return {
    ...gateway,
    port: Number(new URL(url).port),
    url,
    graphqlUrl: `${url}/graphql`,
    rssBytes: () => {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${gateway.pid}/status`, "utf8"));
      return match ? Number(match[1]) * 1024 : NaN;
    },
    memoryAfterGc: async () => {
      if (!options.memoryProbe) throw new Error("started without memoryProbe");
      const from = gateway.stdout().length;
      gateway.child.kill("SIGUSR2");
      const [, usage] = await gateway.waitFor(new RegExp(`${MEMORY_LINE}(.*)\\n`), { from });
      return JSON.parse(usage) as NodeJS.MemoryUsage;
    },
  };
}
