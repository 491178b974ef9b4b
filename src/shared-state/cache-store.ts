import { LRUCache } from "lru-cache";
import { keys } from "./redis-keys.js";

/** A cache entry's key as read (or null: not cacheable right now) and its value (null: a miss). */
export interface StampedRead {
  key: string | null;
  value: string | null;
  /** Holder pages: the tenant's count of writes when read; equal before and after a fetch means none came between. */
  writes?: string;
}

/**
 * Where cached upstream answers live, in-process or in Redis, with the same rules. Keys carry generations: the
 * tenant's and the member's (holder pages) or the customer's. A write bumps a generation, so every key read after it
 * differs from every key written before it: no key scan, and a reader that fetched before the write can only fill an
 * entry nobody asks for again. Holder pages are keyed by the member's voucher id (its canonical name), learned from a
 * first page, so a write through the code invalidates pages read through the voucher id and the other way round.
 * Implementations never throw: a store that cannot answer reads as a miss and drops writes.
 */
export interface CacheStore {
  /** Where the entries live: this process, or Redis (shared by replicas). Tells traces which one answered. */
  readonly kind: "memory" | "redis";
  readPage(tenant: string, memberName: string, pageId: string): Promise<StampedRead>;
  readCustomer(tenant: string, customerId: string): Promise<StampedRead>;
  write(key: string, value: string, ttlMs: number): Promise<void>;
  /** Records that `memberName` (a code or voucher id) is the voucher `voucherId`: a fact that never changes. */
  learnAlias(tenant: string, memberName: string, voucherId: string): Promise<void>;
  voucherIdOf(tenant: string, memberName: string): Promise<string | null>;
  invalidateMember(tenant: string, voucherId: string): Promise<void>;
  invalidateCustomers(tenant: string, customerIds: readonly string[]): Promise<void>;
  /** Everything of the tenant: for a write whose effect is unknown (lost reply) or whose member is not known yet. */
  invalidateTenant(tenant: string): Promise<void>;
}

/** How long aliases and generations outlive any entry keyed by them (entries live for seconds to minutes). */
export const GENERATION_TTL_MS = 24 * 3600_000;

/** Generations remembered in-process at most; past it they all restart above every value handed out before. */
const MAX_GENERATIONS = 100_000;

/**
 * One replica's cache: an LRU bounded by entries and by bytes, each entry with its TTL. Generations come from one
 * counter, and a generation forgotten (the map was full) reads as a floor above every earlier value, so forgetting
 * can only cause misses, never resurrect an entry from before a write.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = "memory";
  private readonly entries: LRUCache<string, string>;
  private readonly aliases: LRUCache<string, string>;
  private readonly generations = new Map<string, number>();
  private counter = 0;
  private floor = 0;

  constructor(bounds: { maxEntries: number; maxBytes: number }) {
    this.entries = new LRUCache({
      max: bounds.maxEntries,
      maxSize: bounds.maxBytes,
      // UTF-16 strings: two bytes a character, plus the key.
      sizeCalculation: (value, key) => (value.length + key.length) * 2 || 1,
    });
    this.aliases = new LRUCache({ max: Math.max(1000, bounds.maxEntries), ttl: GENERATION_TTL_MS });
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

  async readPage(tenant: string, memberName: string, pageId: string): Promise<StampedRead> {
    const writes = this.generation(keys.tenantWrites(tenant));
    const voucherId = this.aliases.get(keys.alias(tenant, memberName));
    if (voucherId === undefined) return { key: null, value: null, writes };
    const tenantGen = this.generation(keys.tenantGeneration(tenant));
    const key = keys.page(tenant, tenantGen, voucherId, this.generation(keys.memberGeneration(tenant, voucherId)), pageId);
    return { key, value: this.entries.get(key) ?? null, writes };
  }

  async readCustomer(tenant: string, customerId: string): Promise<StampedRead> {
    const tenantGen = this.generation(keys.tenantGeneration(tenant));
    const key = keys.customer(tenant, tenantGen, customerId, this.generation(keys.customerGeneration(tenant, customerId)));
    return { key, value: this.entries.get(key) ?? null };
  }

  async write(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, value, { ttl: ttlMs });
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
}
