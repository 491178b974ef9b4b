import type { Redis } from "ioredis";
import { GENERATION_TTL_MS, type CacheStore, type StampedRead } from "./cache-store.js";
import { keys, luaKey } from "./redis-keys.js";
import type { RedisHealth } from "./redis-health.js";
import { traceRedisCommand } from "../observability/cache-span.js";
import type { RedisServerIdentity } from "./redis-server-identity.js";

// One round trip per read: the alias, the generations and the entry, read atomically. Every key is built from
// redis-keys.ts: those known beforehand arrive as KEYS, the ones that depend on what the script reads (the member's
// generation, the entry) are built by expressions generated from the same templates. One Redis-only addition: the
// identity of the server (ARGV[1], see RedisServerIdentity) leads the tenant's generation, in entry keys and in the
// write stamp, so nothing stored on or stamped by another server (before a failover) matches on this one.
const READ_PAGE = `
local server, prefix = ARGV[1], ARGV[2]
local writes = server .. '.' .. (redis.call('GET', KEYS[3]) or '0')
local voucher = redis.call('GET', KEYS[2])
if not voucher then return {false, false, writes} end
local tg = server .. '.' .. (redis.call('GET', KEYS[1]) or '0')
local mg = redis.call('GET', ${luaKey("memberGeneration", "prefix", { voucherId: "voucher" })}) or '0'
local key = ${luaKey("page", "prefix", { tenantGen: "tg", voucherId: "voucher", memberGen: "mg", pageId: "ARGV[3]" })}
return {key, redis.call('GET', key), writes}`;

const READ_CUSTOMER = `
local server, prefix = ARGV[1], ARGV[2]
local tg = server .. '.' .. (redis.call('GET', KEYS[1]) or '0')
local cg = redis.call('GET', KEYS[2]) or '0'
local key = ${luaKey("customer", "prefix", { tenantGen: "tg", customerId: "ARGV[3]", customerGen: "cg" })}
return {key, redis.call('GET', key)}`;

type Scripted = Redis & {
  readPage(
    tenantGen: string,
    alias: string,
    writes: string,
    server: string,
    prefix: string,
    pageId: string,
  ): Promise<[string | null, string | null, string]>;
  readCustomer(
    tenantGen: string,
    customerGen: string,
    server: string,
    prefix: string,
    customerId: string,
  ): Promise<[string, string | null]>;
};

const MISS: StampedRead = { key: null, value: null };

/**
 * The cache shared by replicas. While Redis is degraded every call answers at once (a miss, a dropped write);
 * invalidations that could not be written are replayed as tenant-wide invalidations before the cache is used again,
 * so nothing written during an outage is served stale afterwards. Entries are those of the server that answers
 * (RedisServerIdentity): a failover to a replica that missed the last invalidations starts the cache cold instead.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = "redis";
  private readonly redis: Scripted;
  private readonly missedInvalidations = new Set<string>();

  constructor(
    client: Redis,
    private readonly health: RedisHealth,
    private readonly server: RedisServerIdentity,
  ) {
    client.defineCommand("readPage", { numberOfKeys: 3, lua: READ_PAGE });
    client.defineCommand("readCustomer", { numberOfKeys: 2, lua: READ_CUSTOMER });
    this.redis = client as Scripted;
    health.onRecover(async () => {
      for (const tenant of [...this.missedInvalidations]) {
        await this.bump(keys.tenantGeneration(tenant), keys.tenantWrites(tenant));
        this.missedInvalidations.delete(tenant);
      }
    });
  }

  /** `operation` names the command in traces (the script, or the Redis command): never its keys. */
  private async attempt<T>(operation: string, fallback: T, command: () => Promise<T>): Promise<T> {
    if (this.health.degraded) return fallback;
    try {
      return await traceRedisCommand(operation, () => this.health.bounded(command()));
    } catch (error) {
      this.health.failed(error);
      return fallback;
    }
  }

  readPage(tenant: string, memberName: string, pageId: string): Promise<StampedRead> {
    // Read as the command is issued: the identity of the connection it goes out on (see RedisServerIdentity).
    const server = this.server.current;
    if (server === null) return Promise.resolve(MISS);
    return this.attempt("EVALSHA readPage", MISS, async () => {
      const [key, value, writes] = await this.redis.readPage(
        keys.tenantGeneration(tenant),
        keys.alias(tenant, memberName),
        keys.tenantWrites(tenant),
        server,
        keys.prefix(tenant),
        pageId,
      );
      return { key: key ?? null, value: value ?? null, writes };
    });
  }

  readCustomer(tenant: string, customerId: string): Promise<StampedRead> {
    const server = this.server.current;
    if (server === null) return Promise.resolve(MISS);
    return this.attempt("EVALSHA readCustomer", MISS, async () => {
      const [key, value] = await this.redis.readCustomer(
        keys.tenantGeneration(tenant),
        keys.customerGeneration(tenant, customerId),
        server,
        keys.prefix(tenant),
        // Escaped as the key templates escape ids (Lua has no encodeURIComponent).
        encodeURIComponent(customerId),
      );
      return { key, value: value ?? null };
    });
  }

  write(key: string, value: string, ttlMs: number): Promise<void> {
    return this.attempt("SET", undefined, async () => {
      await this.redis.set(key, value, "PX", ttlMs);
    });
  }

  learnAlias(tenant: string, memberName: string, voucherId: string): Promise<void> {
    return this.attempt("MULTI", undefined, async () => {
      await this.redis
        .multi()
        .set(keys.alias(tenant, memberName), encodeURIComponent(voucherId), "PX", GENERATION_TTL_MS)
        .set(keys.alias(tenant, voucherId), encodeURIComponent(voucherId), "PX", GENERATION_TTL_MS)
        .exec();
    });
  }

  voucherIdOf(tenant: string, memberName: string): Promise<string | null> {
    return this.attempt("GET", null, async () => {
      const escaped = await this.redis.get(keys.alias(tenant, memberName));
      return escaped === null ? null : decodeURIComponent(escaped);
    });
  }

  invalidateMember(tenant: string, voucherId: string): Promise<void> {
    return this.invalidate(tenant, [keys.memberGeneration(tenant, voucherId), keys.tenantWrites(tenant)]);
  }

  invalidateCustomers(tenant: string, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return Promise.resolve();
    return this.invalidate(
      tenant,
      customerIds.map((id) => keys.customerGeneration(tenant, id)),
    );
  }

  invalidateTenant(tenant: string): Promise<void> {
    return this.invalidate(tenant, [keys.tenantGeneration(tenant), keys.tenantWrites(tenant)]);
  }

  private async invalidate(tenant: string, generationKeys: string[]): Promise<void> {
    if (!this.health.writable) {
      this.missedInvalidations.add(tenant);
      return;
    }
    try {
      await traceRedisCommand("MULTI", () => this.health.bounded(this.bump(...generationKeys)));
    } catch (error) {
      this.missedInvalidations.add(tenant);
      this.health.failed(error);
    }
  }

  private async bump(...generationKeys: string[]): Promise<void> {
    const batch = this.redis.multi();
    for (const key of generationKeys) batch.incr(key).pexpire(key, GENERATION_TTL_MS);
    const results = await batch.exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (failure) throw failure;
  }
}
