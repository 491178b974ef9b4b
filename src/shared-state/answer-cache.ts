import { createHash } from "node:crypto";
import type { AnswerSources } from "./answer-sources.js";
import type { AnswerName, CacheStore } from "./cache-store.js";
import { keys } from "./redis-keys.js";
import { traceCacheLookup } from "../observability/cache-span.js";

/** Answers larger than this are not kept (about a 2,000-holder page): one would crowd out hundreds of small ones. */
export const MAX_KEPT_ANSWER_BYTES = 1024 * 1024;

/**
 * GraphQL answers kept whole: the bytes of a query's answer, served again without execution to a request that asks
 * exactly the same of the same tenant with the same rights. An answer records the generations of every page and
 * customer it was built from (AnswerSources) and is served only while all of them hold: the writes that invalidate
 * those entries, through any replica, invalidate it too, in the same round trip as the lookup. It lives no longer
 * than the first of those entries (and never longer than `maxLifeMs`, the holder pages' TTL).
 *
 * What was asked and by whom is the caller's business (src/plugins/kept-answers.ts): here an answer is an id, a
 * tenant and bytes. `format` names the shape of the answers (the schema they follow): another build's answers are
 * other entries.
 */
export class AnswerCache {
  constructor(
    private readonly store: CacheStore,
    private readonly options: { format: string; maxLifeMs: number; now?: () => number },
  ) {}

  /** Whether the store can keep answers for other replicas (Redis) or only for this one. */
  get storeKind(): "memory" | "redis" {
    return this.store.kind;
  }

  /**
   * Where the tenant's answer to `asked` lives: its key holds a digest of everything that decides the answer
   * (document, operation, variables, rights, joined unambiguously by the caller), never the text itself (it may hold
   * variables' values, and keys are not for them).
   */
  nameOf(tenant: string, asked: string): AnswerName {
    const id = createHash("sha256").update(asked).digest("base64url").slice(0, 32);
    const { format } = this.options;
    return { tenant, format, key: keys.answer(tenant, format, id) };
  }

  /** The kept answer, or null. Traced as the `cache answers` span (hit or miss). */
  lookup(name: AnswerName): Promise<Buffer | null> {
    return traceCacheLookup(
      "answers",
      this.store.kind,
      () => this.store.readAnswer(name),
      (found) => (found === null ? "miss" : "hit"),
    );
  }

  /** Keeps `body` while its sources hold, when they can vouch for it; true when kept. */
  async keep(name: AnswerName, body: Buffer, sources: AnswerSources): Promise<boolean> {
    const settled = sources.settle();
    if (settled === null || body.length > MAX_KEPT_ANSWER_BYTES) return false;
    const now = (this.options.now ?? Date.now)();
    const ttlMs = Math.floor(Math.min(settled.expiresAt - now, this.options.maxLifeMs));
    if (ttlMs <= 0) return false;
    await this.store.writeAnswer(name, { body, sources: settled.sources }, settled.entries, ttlMs);
    return true;
  }

  /** Forgets one answer (a `Cache-Control: no-cache` request, so the answer it bypassed is not served after it). */
  drop(name: AnswerName): Promise<void> {
    return this.store.dropAnswer(name);
  }
}
