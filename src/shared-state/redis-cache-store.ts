import type { Redis } from "ioredis";
import {
  GENERATION_TTL_MS,
  type AnswerName,
  type CacheStore,
  type EntryKind,
  type KeptAnswer,
  type RejectedReason,
  type Source,
  type StampedRead,
} from "./cache-store.js";
import type { EntryShape } from "./entry-shape.js";
import { keys, luaKey } from "./redis-keys.js";
import type { RedisHealth } from "./redis-health.js";
import { traceRedisCommand } from "../observability/cache-span.js";
import type { RedisServerIdentity } from "./redis-server-identity.js";

// One round trip per read: the alias, the generations and the entry, read atomically. Every key is built from
// redis-keys.ts: those known beforehand arrive as KEYS, the ones that depend on what the script reads (the member's
// generation, the entry) are built by expressions generated from the same templates. One Redis-only addition: the
// identity of the server (ARGV[1], see RedisServerIdentity) leads every generation a read reports, in entry keys and
// in the write stamp, so nothing stored on or stamped by another server (before a failover) matches on this one.

/** What encodeURIComponent leaves in an id: an alias holding anything else was not written by the gateway. */
const LUA_ESCAPED_ID = "^[%w%-_%.!~%*'%(%)%%]+$";

const READ_PAGE = `
local server, prefix, format = ARGV[1], ARGV[2], ARGV[4]
local writes = server .. '.' .. (redis.call('GET', KEYS[3]) or '0')
local voucher = redis.call('GET', KEYS[2])
if not voucher then return {false, false, writes, false, false, -2, false, 0} end
if not string.find(voucher, "${LUA_ESCAPED_ID}") then return {false, false, writes, false, false, -2, false, 1} end
local tg = server .. '.' .. (redis.call('GET', KEYS[1]) or '0')
local mg = redis.call('GET', ${luaKey("memberGeneration", "prefix", { voucherId: "voucher" })}) or '0'
local key = ${luaKey("page", "prefix", { format: "format", tenantGen: "tg", voucherId: "voucher", memberGen: "mg", pageId: "ARGV[3]" })}
local value = redis.call('GET', key)
return {key, value, writes, tg, server .. '.' .. mg, value and redis.call('PTTL', key) or -2, voucher, 0}`;

const READ_CUSTOMER = `
local server, prefix, format = ARGV[1], ARGV[2], ARGV[4]
local tg = server .. '.' .. (redis.call('GET', KEYS[1]) or '0')
local cg = redis.call('GET', KEYS[2]) or '0'
local key = ${luaKey("customer", "prefix", { format: "format", tenantGen: "tg", customerId: "ARGV[3]", customerGen: "cg" })}
local value = redis.call('GET', key)
return {key, value, tg, server .. '.' .. cg, value and redis.call('PTTL', key) or -2}`;

/**
 * An answer kept whole is one value: its format, the generations it was built from, its length, its bytes (see
 * encodeAnswer). Served only when every generation still holds, in the same round trip: `{'hit', body}`, or why not.
 */
const READ_ANSWER = `
local server, prefix, format = ARGV[1], ARGV[2], ARGV[3]
local entry = redis.call('GET', KEYS[1])
if not entry then return {'miss'} end
local at = 1
local function line()
  local stop = string.find(entry, '\\n', at, true)
  if not stop then return nil end
  local text = string.sub(entry, at, stop - 1)
  at = stop + 1
  return text
end
if line() ~= format then return {'foreign'} end
local count = tonumber(line() or '')
if not count then return {'corrupt'} end
for _ = 1, count do
  local kind, generation, id = string.match(line() or '', '^(%a) (%S+) ?(%S*)$')
  local key
  if kind == 't' then key = KEYS[2]
  elseif kind == 'w' then key = KEYS[3]
  elseif kind == 'm' and string.find(id, "${LUA_ESCAPED_ID}") then key = ${luaKey("memberGeneration", "prefix", { voucherId: "id" })}
  elseif kind == 'c' and string.find(id, "${LUA_ESCAPED_ID}") then key = ${luaKey("customerGeneration", "prefix", { customerId: "id" })}
  else return {'corrupt'} end
  if server .. '.' .. (redis.call('GET', key) or '0') ~= generation then return {'stale'} end
end
local length = tonumber(line() or '')
if not length or #entry - at + 1 ~= length then return {'corrupt'} end
return {'hit', string.sub(entry, at)}`;

/**
 * Keeps an answer (KEYS[1], ARGV[1]) for at most ARGV[2] ms and no longer than any entry it was built from (KEYS[2..])
 * has left, by Redis's own clock; not at all when one is gone (or has no expiry: not the gateway's). Returns its TTL.
 * A millisecond less than the entry's PTTL: PTTL rounds down and SET PX counts from another reading of the clock, so
 * an answer given the whole PTTL could outlive its entry by a millisecond (seen on Redis 7.0).
 */
const WRITE_ANSWER = `
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  local left = redis.call('PTTL', KEYS[i]) - 1
  if left < 1 then return 0 end
  if left < ttl then ttl = left end
end
if ttl < 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return ttl`;

/**
 * Bumps generations (KEYS) and keeps them for ARGV[1] ms. A value INCR cannot count (not written by the gateway) is
 * replaced by the server's clock in microseconds: above every count, so no entry keyed by an earlier value returns.
 */
const BUMP = `
local repaired = 0
for _, key in ipairs(KEYS) do
  local counted = redis.pcall('INCR', key)
  if type(counted) == 'table' and counted.err then
    local now = redis.call('TIME')
    redis.call('SET', key, now[1] .. string.format('%06d', tonumber(now[2])))
    repaired = repaired + 1
  end
  redis.call('PEXPIRE', key, ARGV[1])
end
return repaired`;

const SOURCE_LETTER: Record<Source["kind"], string> = { tenant: "t", writes: "w", member: "m", customer: "c" };

/** An answer as READ_ANSWER reads it: `format \n count \n (letter generation [escaped id] \n)* length \n body`. */
export function encodeAnswer(format: string, answer: KeptAnswer): Buffer {
  let header = `${format}\n${answer.sources.length}\n`;
  for (const source of answer.sources) {
    header += `${SOURCE_LETTER[source.kind]} ${source.generation}${source.id ? ` ${encodeURIComponent(source.id)}` : ""}\n`;
  }
  header += `${answer.body.length}\n`;
  return Buffer.concat([Buffer.from(header), answer.body]);
}

type PageReply = [string | null, string | null, string, string | null, string | null, number, string | null, number];
type CustomerReply = [string, string | null, string, string, number];

type Scripted = Redis & {
  readPage(
    tenantGen: string,
    alias: string,
    writes: string,
    server: string,
    prefix: string,
    pageId: string,
    format: string,
  ): Promise<PageReply>;
  readCustomer(
    tenantGen: string,
    customerGen: string,
    server: string,
    prefix: string,
    customerId: string,
    format: string,
  ): Promise<CustomerReply>;
  readAnswerBuffer(answer: string, tenantGen: string, writes: string, server: string, prefix: string, format: string): Promise<Buffer[]>;
  bumpGenerations(...args: Array<string | number>): Promise<number>;
  writeAnswer(...args: Array<string | number | Buffer>): Promise<number>;
};

const MISS: StampedRead<never> = { key: null, value: null, sources: [] };

/** Safe decodeURIComponent: an id read back from Redis is data, and bad data is a miss, never an exception. */
function unescapeId(escaped: string): string | null {
  try {
    return decodeURIComponent(escaped);
  } catch {
    return null;
  }
}

/**
 * The cache shared by replicas. While Redis is degraded every call answers at once (a miss, a dropped write);
 * invalidations that could not be written are replayed as tenant-wide invalidations before the cache is used again,
 * so nothing written during an outage is served stale afterwards. Entries are those of the server that answers
 * (RedisServerIdentity): a failover to a replica that missed the last invalidations starts the cache cold instead.
 * Every value read back is checked before use: its format first, then its content (EntryShape); an entry of another
 * format (another build) or a corrupt one is a miss, reported through `onRejected`, never an error or a wrong answer.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = "redis";
  private readonly redis: Scripted;
  private readonly missedInvalidations = new Set<string>();

  constructor(
    client: Redis,
    private readonly health: RedisHealth,
    private readonly server: RedisServerIdentity,
    private readonly onRejected: (kind: EntryKind, reason: RejectedReason) => void = () => {},
  ) {
    client.defineCommand("readPage", { numberOfKeys: 3, lua: READ_PAGE });
    client.defineCommand("readCustomer", { numberOfKeys: 2, lua: READ_CUSTOMER });
    client.defineCommand("readAnswer", { numberOfKeys: 3, lua: READ_ANSWER });
    client.defineCommand("bumpGenerations", { lua: BUMP });
    client.defineCommand("writeAnswer", { lua: WRITE_ANSWER });
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

  /** An entry's text back to its record: the format it was written in, then its content; null when unusable. */
  private decode<T>(kind: EntryKind, text: string | null, shape: EntryShape<T>): T | null {
    if (text === null) return null;
    const { format } = shape;
    if (text.charCodeAt(format.length) !== 0x0a || !text.startsWith(format)) {
      this.onRejected(kind, "foreign");
      return null;
    }
    let record: T | undefined;
    try {
      record = shape.decode(JSON.parse(text.slice(format.length + 1)));
    } catch {
      record = undefined;
    }
    if (record === undefined) this.onRejected(kind, "corrupt");
    return record ?? null;
  }

  async readPage<T>(tenant: string, memberName: string, pageId: string, shape: EntryShape<T>): Promise<StampedRead<T>> {
    // Read as the command is issued: the identity of the connection it goes out on (see RedisServerIdentity).
    const server = this.server.current;
    if (server === null) return MISS;
    const reply = await this.attempt("EVALSHA readPage", null, () =>
      this.redis.readPage(
        keys.tenantGeneration(tenant),
        keys.alias(tenant, memberName),
        keys.tenantWrites(tenant),
        server,
        keys.prefix(tenant),
        pageId,
        shape.format,
      ),
    );
    if (reply === null) return MISS;
    const [key, text, writes, tenantGen, memberGen, lifeLeftMs, escapedVoucher, badAlias] = reply;
    const voucherId = escapedVoucher === null ? null : unescapeId(escapedVoucher);
    // Not a voucher id the gateway wrote: read as unknown, so the first read through this name learns it again.
    if (badAlias || (escapedVoucher !== null && voucherId === null)) this.onRejected("aliases", "corrupt");
    if (key === null || tenantGen === null || memberGen === null || voucherId === null) {
      return { key: null, value: null, writes, sources: [{ kind: "writes", id: "", generation: writes }] };
    }
    const sources: Source[] = [
      { kind: "tenant", id: "", generation: tenantGen },
      { kind: "member", id: voucherId, generation: memberGen },
    ];
    const value = this.decode("holders", text, shape);
    return value === null ? { key, value, writes, sources } : { key, value, writes, sources, lifeLeftMs };
  }

  async readCustomer<T>(tenant: string, customerId: string, shape: EntryShape<T>): Promise<StampedRead<T>> {
    const server = this.server.current;
    if (server === null) return MISS;
    const reply = await this.attempt("EVALSHA readCustomer", null, () =>
      this.redis.readCustomer(
        keys.tenantGeneration(tenant),
        keys.customerGeneration(tenant, customerId),
        server,
        keys.prefix(tenant),
        // Escaped as the key templates escape ids (Lua has no encodeURIComponent).
        encodeURIComponent(customerId),
        shape.format,
      ),
    );
    if (reply === null) return MISS;
    const [key, text, tenantGen, customerGen, lifeLeftMs] = reply;
    const sources: Source[] = [
      { kind: "tenant", id: "", generation: tenantGen },
      { kind: "customer", id: customerId, generation: customerGen },
    ];
    const value = this.decode("customers", text, shape);
    return value === null ? { key, value, sources } : { key, value, sources, lifeLeftMs };
  }

  write<T>(key: string, value: T, shape: EntryShape<T>, ttlMs: number): Promise<void> {
    return this.attempt("SET", undefined, async () => {
      await this.redis.set(key, `${shape.format}\n${JSON.stringify(value)}`, "PX", ttlMs);
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

  async voucherIdOf(tenant: string, memberName: string): Promise<string | null> {
    const escaped = await this.attempt("GET", null, () => this.redis.get(keys.alias(tenant, memberName)));
    if (escaped === null) return null;
    const voucherId = unescapeId(escaped);
    if (voucherId === null) this.onRejected("aliases", "corrupt");
    return voucherId;
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

  async readAnswer({ tenant, format, key }: AnswerName): Promise<Buffer | null> {
    const server = this.server.current;
    if (server === null) return null;
    const reply = await this.attempt("EVALSHA readAnswer", null, () =>
      this.redis.readAnswerBuffer(key, keys.tenantGeneration(tenant), keys.tenantWrites(tenant), server, keys.prefix(tenant), format),
    );
    if (reply === null) return null;
    const outcome = reply[0].toString();
    if (outcome === "hit") return reply[1];
    if (outcome === "foreign" || outcome === "corrupt") this.onRejected("answers", outcome);
    return null;
  }

  writeAnswer({ format, key }: AnswerName, answer: KeptAnswer, entries: readonly string[], ttlMs: number): Promise<void> {
    return this.attempt("EVALSHA writeAnswer", undefined, async () => {
      await this.redis.writeAnswer(1 + entries.length, key, ...entries, encodeAnswer(format, answer), Math.floor(ttlMs));
    });
  }

  dropAnswer({ key }: AnswerName): Promise<void> {
    return this.attempt("DEL", undefined, async () => {
      await this.redis.del(key);
    });
  }

  private async invalidate(tenant: string, generationKeys: string[]): Promise<void> {
    if (!this.health.writable) {
      this.missedInvalidations.add(tenant);
      return;
    }
    try {
      await traceRedisCommand("EVALSHA bumpGenerations", () => this.health.bounded(this.bump(...generationKeys)));
    } catch (error) {
      this.missedInvalidations.add(tenant);
      this.health.failed(error);
    }
  }

  private async bump(...generationKeys: string[]): Promise<void> {
    const repaired = await this.redis.bumpGenerations(generationKeys.length, ...generationKeys, GENERATION_TTL_MS);
    if (repaired > 0) this.onRejected("generations", "corrupt");
  }
}
