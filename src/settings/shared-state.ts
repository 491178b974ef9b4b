import { hostPorts, integer, text, url } from "./parsers.js";
import { bytesDefault, defineSettings, type SettingsReader } from "./setting.js";
import { MIB } from "../lib/byte-size.js";

/** What replicas share (src/shared-state): through Redis when redisUrl is set, otherwise in this process. */
export interface SharedStateConfig {
  /** redis://host:port/db; null: the stores live in-process (one replica), or Redis is found through Sentinel. */
  redisUrl: string | null;
  /** Redis behind Sentinel: the sentinels to ask and the name of the master they monitor; null: not used. */
  redisSentinel: RedisSentinelConfig | null;
  /** Longest wait for one Redis command before the gateway goes on without it (uncached, unshared). */
  redisTimeoutMs: number;
  /** How long a holder page / a customer is served from the cache; 0 turns that cache off. */
  holdersTtlMs: number;
  customersTtlMs: number;
  /** The Voucherify plan's quota per minute, all replicas together; null: not enforced (only 429s are). */
  quotaPerMinute: number | null;
  /** In-process cache bounds (without Redis). */
  memoryMaxEntries: number;
  memoryMaxBytes: number;
  /**
   * Answers kept whole (queries answered without errors, served again without execution): bytes kept at most
   * in-process; 0 turns them off. On whenever the holder-page cache is (holdersTtlMs > 0).
   */
  answersMaxBytes: number;
}

export interface RedisSentinelConfig {
  sentinels: Array<{ host: string; port: number }>;
  masterName: string;
  /** Password of the Redis servers (master and replicas); null: none. */
  password: string | null;
  /** Password of the sentinels themselves; null: none. */
  sentinelPassword: string | null;
}

export const SHARED_STATE_SETTINGS = defineSettings({
  title: "Several replicas: Redis, the cache and the plan's quota",
  about: [
    "What replicas share (cache, 429 back-off, the plan's quota, caller budgets) lives in Redis; unset, in this process,",
    "which is right for one replica. A slow or lost Redis never fails a request: the gateway serves uncached and",
    "unshared (reported in /readyz and /metrics) and recovers by itself. With REDIS_URL the password goes in the URL.",
  ],
  settings: {
    REDIS_URL: {
      meaning: "redis://host:port/db shared by replicas (cache, quota, 429 back-off, caller budgets); unset = in-process stores",
      example: "redis://127.0.0.1:6379/0",
      // Never echoed: a Redis URL may carry a password.
      parse: url({
        schemes: ["redis:", "rediss:"],
        schemeProblem: "must be a redis:// or rediss:// URL",
        echo: false,
        example: "redis://host:port/db",
      }),
    },
    REDIS_SENTINELS: {
      meaning: "Comma-separated host:port of the Redis Sentinels to ask for the master (instead of REDIS_URL); needs REDIS_SENTINEL_MASTER",
      example: "10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379",
      parse: hostPorts,
    },
    REDIS_SENTINEL_MASTER: {
      meaning: "Name of the master the sentinels monitor (the name in their sentinel monitor line); needs REDIS_SENTINELS",
      example: "mymaster",
      parse: text,
    },
    REDIS_PASSWORD: {
      meaning: "With REDIS_SENTINELS: password of the Redis servers (their requirepass); with REDIS_URL, put it in the URL",
      example: "",
      parse: text,
    },
    REDIS_SENTINEL_PASSWORD: {
      meaning: "With REDIS_SENTINELS: password of the sentinels (their requirepass), when they have one",
      example: "",
      parse: text,
    },
    REDIS_TIMEOUT_MS: {
      meaning: "Longest wait for Redis per command; beyond it the gateway serves uncached and unshared until Redis answers again",
      default: 100,
      parse: integer(5, 60_000),
    },
    CACHE_HOLDERS_TTL_MS: {
      meaning: "How long a holder page is served from the cache (writes through the gateway invalidate it at once); 0 = off",
      default: 5000,
      parse: integer(0, 86_400_000),
    },
    CACHE_CUSTOMERS_TTL_MS: {
      meaning: "How long a customer is served from the cache (addHolders invalidates the customers it upserts); 0 = off",
      default: 60_000,
      parse: integer(0, 86_400_000),
    },
    CACHE_MAX_ENTRIES: {
      meaning: "In-process cache (no REDIS_URL): entries kept at most, least recently used go first",
      default: 10_000,
      parse: integer(1, 10_000_000),
    },
    CACHE_MAX_BYTES: {
      meaning: "In-process cache (no REDIS_URL): bytes of cached holder pages and customers kept at most",
      ...bytesDefault(64 * MIB),
      parse: integer(1024, 64 * 1024 * MIB),
    },
    CACHE_ANSWERS_MAX_BYTES: {
      meaning:
        "Answers kept whole (a query's answer served again without execution to callers with the same rights; invalidated " +
        "with the pages and customers it holds and living no longer than they): bytes kept at most in-process (with Redis, " +
        "they live in Redis); 0 = off. Off whenever CACHE_HOLDERS_TTL_MS is 0",
      ...bytesDefault(32 * MIB),
      parse: integer(0, 64 * 1024 * MIB),
    },
    VOUCHERIFY_QUOTA_PER_MINUTE: {
      meaning: "The Voucherify plan's requests per minute: all replicas together never send more (RATE_LIMITED instead)",
      defaultText: "unset (only 429s are honoured)",
      example: "100",
      parse: integer(1, 10_000_000),
    },
  },
});

/** Redis (one, or through Sentinel, never both), its passwords where they belong, and the cache's and quota's figures. */
export function loadSharedState(settings: SettingsReader<typeof SHARED_STATE_SETTINGS.settings>): SharedStateConfig {
  const problems = settings.problems;
  const redisUrl = settings.read("REDIS_URL");
  const sentinelsSet = settings.isSet("REDIS_SENTINELS");
  const masterName = settings.read("REDIS_SENTINEL_MASTER");
  let redisSentinel: RedisSentinelConfig | null = null;
  if (sentinelsSet !== (masterName !== null)) {
    problems.push("REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together: set both (Redis through Sentinel) or neither");
  } else if (sentinelsSet && masterName !== null) {
    if (settings.isSet("REDIS_URL")) problems.push("Set REDIS_URL (one Redis) or REDIS_SENTINELS (Redis through Sentinel), not both");
    redisSentinel = {
      sentinels: settings.read("REDIS_SENTINELS") ?? [],
      masterName,
      password: settings.read("REDIS_PASSWORD"),
      sentinelPassword: settings.read("REDIS_SENTINEL_PASSWORD"),
    };
  }
  // Never echo them: they are secrets.
  if (!sentinelsSet && settings.isSet("REDIS_SENTINEL_PASSWORD")) problems.push("REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS");
  if (!sentinelsSet && settings.isSet("REDIS_PASSWORD")) {
    problems.push(
      "REDIS_PASSWORD is for Redis through Sentinel (REDIS_SENTINELS); with REDIS_URL, put it in the URL: redis://:password@host:port/db",
    );
  }
  const quotaPerMinute = settings.read("VOUCHERIFY_QUOTA_PER_MINUTE");
  return {
    redisUrl,
    redisSentinel,
    redisTimeoutMs: settings.read("REDIS_TIMEOUT_MS"),
    holdersTtlMs: settings.read("CACHE_HOLDERS_TTL_MS"),
    customersTtlMs: settings.read("CACHE_CUSTOMERS_TTL_MS"),
    quotaPerMinute,
    memoryMaxEntries: settings.read("CACHE_MAX_ENTRIES"),
    memoryMaxBytes: settings.read("CACHE_MAX_BYTES"),
    answersMaxBytes: settings.read("CACHE_ANSWERS_MAX_BYTES"),
  };
}
