import { LRUCache } from "lru-cache";
import type { EntryShape } from "./entry-shape.js";
import { keys } from "./redis-keys.js";

/**
 * One generation an entry's key was built from, as it was read: what an answer built from that entry depends on
 * (AnswerSources). `tenant` and `writes` are the tenant's generation and its count of holder writes (the latter
 * stands for a member whose voucher id is not known yet: every holder write bumps it); `member` and `customer` name
 * the voucher id or customer id they belong to.
 */
export interface Source {
  kind: "tenant" | "writes" | "member" | "customer";
  /** The voucher id or customer id; "" for the tenant's own counters. */
  id: string;
  generation: string;
}

/** A cache entry's key as read (or null: not cacheable right now) and its value (null: a miss). */
export interface StampedRead<T> {
  key: string | null;
  value: T | null;
  /** Holder pages: the tenant's count of writes when read; equal before and after a fetch means none came between. */
  writes?: string;
  /** The generations the read was made under (see Source); empty when the store cannot vouch for them (Redis away). */
  sources: readonly Source[];
  /** A hit's remaining life, in milliseconds. */
  lifeLeftMs?: number;
}

/**
 * Where an answer kept whole lives: its tenant, its format and its key (keys.answer: the format, and an id hashed
 * from what was asked and by whom).
 */
export interface AnswerName {
  readonly tenant: string;
  readonly format: string;
  readonly key: string;
}

/** A GraphQL answer kept whole (src/shared-state/answer-cache.ts): its bytes and what it was built from. */
export interface KeptAnswer {
  body: Buffer;
  sources: readonly Source[];
}

/** Why an entry read back was not used: written in another format (another build), or not readable in ours. */
export type RejectedReason = "foreign" | "corrupt";
export type EntryKind = "holders" | "customers" | "answers" | "generations" | "aliases";

/**
 * Where cached upstream answers live, in-process or in Redis, with the same rules. Keys carry generations: the
 * tenant's and the member's (holder pages) or the customer's. A write bumps a generation, so every key read after it
 * differs from every key written before it: no key scan, and a reader that fetched before the write can only fill an
 * entry nobody asks for again. Holder pages are keyed by the member's voucher id (its canonical name), learned from a
 * first page, so a write through the code invalidates pages read through the voucher id and the other way round.
 * Answers kept whole record the generations they were built from and are served only while all of them still hold.
 * Implementations never throw: a store that cannot answer reads as a miss and drops writes.
 */
export interface CacheStore {
  /** Where the entries live: this process, or Redis (shared by replicas). Tells traces which one answered. */
  readonly kind: "memory" | "redis";
  readPage<T>(tenant: string, memberName: string, pageId: string, shape: EntryShape<T>): Promise<StampedRead<T>>;
  readCustomer<T>(tenant: string, customerId: string, shape: EntryShape<T>): Promise<StampedRead<T>>;
  write<T>(key: string, value: T, shape: EntryShape<T>, ttlMs: number): Promise<void>;
  /** Records that `memberName` (a code or voucher id) is the voucher `voucherId`: a fact that never changes. */
  learnAlias(tenant: string, memberName: string, voucherId: string): Promise<void>;
  voucherIdOf(tenant: string, memberName: string): Promise<string | null>;
  invalidateMember(tenant: string, voucherId: string): Promise<void>;
  invalidateCustomers(tenant: string, customerIds: readonly string[]): Promise<void>;
  /** Everything of the tenant: for a write whose effect is unknown (lost reply) or whose member is not known yet. */
  invalidateTenant(tenant: string): Promise<void>;
  /** The answer kept under `name`, if every generation it was built from still holds. */
  readAnswer(name: AnswerName): Promise<Buffer | null>;
  /**
   * Keeps an answer for at most `ttlMs`, and no longer than the first of `entries` (the pages and customers it was
   * built from) still lives, by the store's own clock; not at all when one of them is gone already.
   */
  writeAnswer(name: AnswerName, answer: KeptAnswer, entries: readonly string[], ttlMs: number): Promise<void>;
  dropAnswer(name: AnswerName): Promise<void>;
}

/** How long aliases and generations outlive any entry keyed by them (entries live for seconds to minutes). */
export const GENERATION_TTL_MS = 24 * 3600_000;

/** Generations remembered in-process at most; past it they all restart above every value handed out before. */
const MAX_GENERATIONS = 100_000;

/** Per kept answer besides its bytes: its key, sources and the LRU's own bookkeeping, roughly. */
const ANSWER_OVERHEAD_BYTES = 256;

export interface MemoryCacheBounds {
  maxEntries: number;
  maxBytes: number;
  /** Bytes of answers kept whole at most; 0: none are kept. */
  answersMaxBytes: number;
}

/**
 * One replica's cache: an LRU bounded by entries and by bytes, each entry with its TTL. Records are kept as the
 * objects they are (nothing is re-parsed on a hit: a record is read-only once loaded). Generations come from one
 * counter, and a generation forgotten (the map was full) reads as a floor above every earlier value, so forgetting
 * can only cause misses, never resurrect an entry from before a write.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = "memory";
  private readonly entries: LRUCache<string, object>;
  /** Each answer with the generations it needs, by key: checked on every hit, so rendered once, when it is kept. */
  private readonly answers: LRUCache<string, { body: Buffer; generations: Array<[key: string, value: number]> }> | null;
  private readonly aliases: LRUCache<string, string>;
  private readonly generations = new Map<string, number>();
  private counter = 0;
  private floor = 0;

  /**
   * `now`: milliseconds, for the entries' TTLs: tests move it instead of waiting (lru-cache then reads it on every
   * check rather than once per millisecond of real time).
   */
  constructor(bounds: MemoryCacheBounds, now?: () => number) {
    const clock = now ? { perf: { now }, ttlResolution: 0 } : {};
    this.entries = new LRUCache({ max: bounds.maxEntries, maxSize: bounds.maxBytes, ...clock });
    this.answers = bounds.answersMaxBytes > 0 ? new LRUCache({ maxSize: bounds.answersMaxBytes, ...clock }) : null;
    this.aliases = new LRUCache({ max: Math.max(1000, bounds.maxEntries), ttl: GENERATION_TTL_MS, ...clock });
  }

  private generation(key: string): string {
    return String(this.generations.get(key) ?? this.floor);
  }

  private bump(key: string): void {
    if (this.generations.size >= MAX_GENERATIONS) {
      this.generations.clear();
      this.floor = ++this.counter;
    }
    this.generations.set(key, ++this.counter);
  }

  private stamped<T>(key: string, extra: Omit<StampedRead<T>, "key" | "value" | "lifeLeftMs">): StampedRead<T> {
    const value = (this.entries.get(key) as T | undefined) ?? null;
    return { key, value, ...extra, ...(value === null ? {} : { lifeLeftMs: this.entries.getRemainingTTL(key) }) };
  }

  async readPage<T>(tenant: string, memberName: string, pageId: string, shape: EntryShape<T>): Promise<StampedRead<T>> {
    const writes = this.generation(keys.tenantWrites(tenant));
    const voucherId = this.aliases.get(keys.alias(tenant, memberName));
    if (voucherId === undefined) return { key: null, value: null, writes, sources: [{ kind: "writes", id: "", generation: writes }] };
    const tenantGen = this.generation(keys.tenantGeneration(tenant));
    const memberGen = this.generation(keys.memberGeneration(tenant, voucherId));
    const key = keys.page(tenant, shape.format, tenantGen, voucherId, memberGen, pageId);
    const sources: Source[] = [
      { kind: "tenant", id: "", generation: tenantGen },
      { kind: "member", id: voucherId, generation: memberGen },
    ];
    return this.stamped(key, { writes, sources });
  }

  async readCustomer<T>(tenant: string, customerId: string, shape: EntryShape<T>): Promise<StampedRead<T>> {
    const tenantGen = this.generation(keys.tenantGeneration(tenant));
    const customerGen = this.generation(keys.customerGeneration(tenant, customerId));
    const key = keys.customer(tenant, shape.format, tenantGen, customerId, customerGen);
    const sources: Source[] = [
      { kind: "tenant", id: "", generation: tenantGen },
      { kind: "customer", id: customerId, generation: customerGen },
    ];
    return this.stamped(key, { sources });
  }

  async write<T>(key: string, value: T, shape: EntryShape<T>, ttlMs: number): Promise<void> {
    // Sized from the record itself (no JSON text made for it): two bytes a character, the key included.
    this.entries.set(key, value as object, { ttl: ttlMs, size: Math.max(1, Math.ceil(shape.sizeOf(value) + key.length * 2)) });
  }

  async learnAlias(tenant: string, memberName: string, voucherId: string): Promise<void> {
    this.aliases.set(keys.alias(tenant, memberName), voucherId);
    this.aliases.set(keys.alias(tenant, voucherId), voucherId);
  }

  async voucherIdOf(tenant: string, memberName: string): Promise<string | null> {
    return this.aliases.get(keys.alias(tenant, memberName)) ?? null;
  }

  async invalidateMember(tenant: string, voucherId: string): Promise<void> {
    this.bump(keys.memberGeneration(tenant, voucherId));
    this.bump(keys.tenantWrites(tenant));
  }

  async invalidateCustomers(tenant: string, customerIds: readonly string[]): Promise<void> {
    for (const id of customerIds) this.bump(keys.customerGeneration(tenant, id));
  }

  async invalidateTenant(tenant: string): Promise<void> {
    this.bump(keys.tenantGeneration(tenant));
    this.bump(keys.tenantWrites(tenant));
  }

  async readAnswer(name: AnswerName): Promise<Buffer | null> {
    if (!this.answers) return null;
    const answer = this.answers.get(name.key);
    if (!answer) return null;
    for (const [generationKey, value] of answer.generations) {
      if ((this.generations.get(generationKey) ?? this.floor) !== value) {
        this.answers.delete(name.key);
        return null;
      }
    }
    return answer.body;
  }

  async writeAnswer(name: AnswerName, answer: KeptAnswer, entries: readonly string[], ttlMs: number): Promise<void> {
    if (!this.answers) return;
    for (const entry of entries) ttlMs = Math.min(ttlMs, this.entries.getRemainingTTL(entry));
    if (!(ttlMs >= 1)) return;
    // This store's generations are counts: compared as numbers on every hit.
    const generations = answer.sources.map((source): [string, number] => [generationKey(name.tenant, source), Number(source.generation)]);
    const size = answer.body.length + name.key.length * 2 + ANSWER_OVERHEAD_BYTES * (1 + generations.length);
    this.answers.set(name.key, { body: answer.body, generations }, { ttl: ttlMs, size });
  }

  async dropAnswer(name: AnswerName): Promise<void> {
    this.answers?.delete(name.key);
  }
}

/** The key of the generation a source names. */
export function generationKey(tenant: string, source: Source): string {
  switch (source.kind) {
    case "tenant":
      return keys.tenantGeneration(tenant);
    case "writes":
      return keys.tenantWrites(tenant);
    case "member":
      return keys.memberGeneration(tenant, source.id);
    case "customer":
      return keys.customerGeneration(tenant, source.id);
  }
}
