import { readFileSync } from "node:fs";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { startStack } from "../support/stack.js";
import { upstreamEnv } from "../support/process-env.js";

/** What the soak runs against: one or several gateway URLs in front of one emulator. */
export interface SoakTarget {
  /** GraphQL endpoints; operations go to them in turn, as a round-robin balancer would send them. */
  graphqlUrls: string[];
  emulatorUrl: string;
  /** Memory of the gateway(s) under test; heap only when the gateway runs in this process. */
  memory(): { rssBytes: number; heapUsedBytes: number | null };
  stop(): Promise<void>;
}

/** The gateway in this process (in-process cache), as `npm start` configures it. */
export async function inProcessGateway(): Promise<SoakTarget> {
  // A load test of the gateway, not of one caller's budget.
  const stack = await startStack({ env: { CALLER_BUDGET_PER_MINUTE: "0" } });
  return {
    graphqlUrls: [stack.gateway.graphqlUrl],
    emulatorUrl: stack.emulator.url,
    memory: () => {
      (globalThis as { gc?: () => void }).gc?.();
      const usage = process.memoryUsage();
      return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
    },
    stop: () => stack.stop(),
  };
}

/** Linux: a process's resident set from /proc (the replicas are separate processes). */
function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) * 1024;
}

/**
 * `count` replicas (the compiled gateway, each its own process) sharing one Redis of their own (free port, no
 * persistence), with the default cache TTLs: writes through one replica must show through every other at once.
 */
export async function replicasOnRedis(redisServerBinary: string, count: number): Promise<SoakTarget> {
  let redis: RedisServer | null = null;
  let emulator: EmulatorHandle | null = null;
  const replicas: GatewayProcess[] = [];
  const stop = async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await emulator?.stop();
    await redis?.stop();
  };
  try {
    redis = await startRedisServer(redisServerBinary);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    const env = {
      ...upstreamEnv(emulator),
      REDIS_URL: redis.url,
      // The machine running the soak is busy: only a real outage should degrade the cache.
      REDIS_TIMEOUT_MS: "1000",
    };
    replicas.push(...(await Promise.all(Array.from({ length: count }, () => startGatewayProcess(env)))));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    graphqlUrls: replicas.map((replica) => replica.graphqlUrl),
    emulatorUrl: emulator.url,
    memory: () => ({ rssBytes: replicas.reduce((sum, replica) => sum + residentBytes(replica.pid), 0), heapUsedBytes: null }),
    stop,
  };
}
