import { Redis, type RedisOptions } from "ioredis";
import type { SharedStateConfig } from "../config.js";

/** Backs off from 100 ms to at most 1 s between attempts: a failover is found within a second of its promotion. */
const reconnectDelay = (attempt: number) => Math.min(100 * attempt, 1000);

/**
 * The gateway's one Redis client: REDIS_URL, or the master the sentinels name (REDIS_SENTINELS), followed across
 * failovers. Null without either: the stores live in-process.
 */
export function createRedisClient(config: SharedStateConfig): Redis | null {
  const options: RedisOptions = {
    commandTimeout: config.redisTimeoutMs,
    connectTimeout: Math.max(1000, config.redisTimeoutMs),
    // Fail at once while disconnected instead of queueing requests behind a dead connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A command left unanswered by a server that went away is never sent again to the next one: cache lookups carry
    // the identity of the server they were meant for (see RedisServerIdentity).
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelay,
    enableAutoPipelining: true,
  };
  if (config.redisSentinel) {
    return new Redis({
      ...options,
      sentinels: config.redisSentinel.sentinels,
      name: config.redisSentinel.masterName,
      role: "master",
      password: config.redisSentinel.password ?? undefined,
      sentinelPassword: config.redisSentinel.sentinelPassword ?? undefined,
      sentinelCommandTimeout: Math.max(1000, config.redisTimeoutMs),
      sentinelRetryStrategy: reconnectDelay,
      // An old master that is still up is demoted by the sentinels to a replica: its READONLY answers make the client
      // ask the sentinels again. (ioredis's failoverDetector is left off: a +switch-master announced while the client
      // is connecting ends the client for good, seen here in the failover tests.)
      reconnectOnError: (error) => error.message.startsWith("READONLY"),
    });
  }
  return config.redisUrl ? new Redis(config.redisUrl, options) : null;
}

/**
 * ioredis ends a client only when told to, or on one of its own races: connect again rather than stay without Redis.
 * `closing` tells a deliberate end (the owner is closing) from the others.
 */
export function reconnectOnEnd(client: Redis, closing: () => boolean): void {
  client.on("end", () => closing() || void client.connect().catch(() => {}));
}
