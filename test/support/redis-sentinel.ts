import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, spawnUntilReady, startRedisServer, type RedisServer } from "./redis-server.js";

export const MASTER_NAME = "mymaster";

/** Redis as deployments run it: a master, one replica, three sentinels (quorum 2), every process on loopback. */
export interface SentinelSet {
  master: RedisServer;
  replica: RedisServer;
  /** The settings that point a gateway at this set (REDIS_SENTINELS, REDIS_SENTINEL_MASTER, passwords). */
  gatewayEnv: Record<string, string>;
  /** The port of the master the sentinels name right now. */
  masterPort(): Promise<number>;
  /** Resolves once the sentinels name `port` as the master (a promotion), polling them; rejects after `timeoutMs`. */
  promoted(port: number, timeoutMs: number): Promise<void>;
  /** A client of one server or sentinel, with its password (the test's own view; closed by stop()). */
  client(port: number): Redis;
  stop(): Promise<void>;
}

/** Passwords of the Redis servers (requirepass, masterauth) and of the sentinels; none by default. */
export interface SentinelSetPasswords {
  redis?: string;
  sentinels?: string;
}

/**
 * Starts the set and waits until the sentinels know the replica and each other: only then can they agree that the
 * master is down (quorum) and elect one of them to promote the replica. Failure detection is fast (1 s without an
 * answer), so a SIGKILLed master is replaced within a few seconds.
 */
export async function startSentinelSet(binary: string, passwords: SentinelSetPasswords = {}): Promise<SentinelSet> {
  const auth = passwords.redis ? ["--requirepass", passwords.redis, "--masterauth", passwords.redis] : [];
  // No delay before a full synchronisation (default 5 s): the replica is in sync at once.
  const master = await startRedisServer(binary, undefined, ["--repl-diskless-sync-delay", "0", ...auth]);
  const replica = await startRedisServer(binary, undefined, ["--replicaof", "127.0.0.1", String(master.port), ...auth]);
  const sentinels = await Promise.all(
    [0, 1, 2].map(async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "gateway-sentinel-"));
      // Sentinel rewrites its configuration file as it learns: it must be writable, hence its own folder.
      const conf = join(dir, "sentinel.conf");
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 3000`,
          ...(passwords.redis ? [`sentinel auth-pass ${MASTER_NAME} ${passwords.redis}`] : []),
          ...(passwords.sentinels ? [`requirepass ${passwords.sentinels}`, `sentinel sentinel-pass ${passwords.sentinels}`] : []),
          "",
        ].join("\n"),
      );
      return { port, ...(await spawnUntilReady(binary, [conf, "--sentinel"], /\+monitor master/, dir)) };
    }),
  );
  const clients: Redis[] = [];
  const sentinelPorts = new Set(sentinels.map((sentinel) => sentinel.port));
  const client = (port: number) => {
    const password = sentinelPorts.has(port) ? passwords.sentinels : passwords.redis;
    const made = new Redis({ port, host: "127.0.0.1", password, maxRetriesPerRequest: 1 });
    made.on("error", () => {});
    clients.push(made);
    return made;
  };
  const sentinelClients = sentinels.map((sentinel) => client(sentinel.port));
  const replicaClient = client(replica.port);
  const masterPort = async () => {
    for (const sentinel of sentinelClients) {
      try {
        const [, port] = (await sentinel.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME)) as [string, string];
        return Number(port);
      } catch {
        // that sentinel is busy or away: ask the next
      }
    }
    throw new Error("no sentinel answered");
  };
  const until = async (what: string, timeoutMs: number, holds: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await holds())) {
      if (Date.now() > deadline) throw new Error(`sentinel set: ${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const set: SentinelSet = {
    master,
    replica,
    gatewayEnv: {
      REDIS_SENTINELS: sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(","),
      REDIS_SENTINEL_MASTER: MASTER_NAME,
      ...(passwords.redis ? { REDIS_PASSWORD: passwords.redis } : {}),
      ...(passwords.sentinels ? { REDIS_SENTINEL_PASSWORD: passwords.sentinels } : {}),
    },
    masterPort,
    promoted: (port, timeoutMs) => until(`the promotion of ${port}`, timeoutMs, async () => (await masterPort().catch(() => 0)) === port),
    client,
    async stop() {
      for (const made of clients) made.disconnect();
      await Promise.all([...sentinels, replica, master].map((process) => process.stop()));
    },
  };
  try {
    await until("the replica's synchronisation, the sentinels' discovery of it and of each other", 20_000, async () => {
      if (!(await replicaClient.info("replication")).includes("master_link_status:up")) return false;
      const known = await Promise.all(
        sentinelClients.map(async (sentinel) => {
          const replicas = (await sentinel.call("SENTINEL", "replicas", MASTER_NAME)) as string[][];
          const peers = (await sentinel.call("SENTINEL", "sentinels", MASTER_NAME)) as unknown[];
          const replicaUp = replicas.some((fields) => fields.includes(String(replica.port)) && fields.includes("slave"));
          return replicaUp && peers.length === 2;
        }),
      );
      return known.every(Boolean);
    });
  } catch (error) {
    await set.stop();
    throw error;
  }
  return set;
}
