import type { GraphQLSchema } from "graphql";
import { LRUCache } from "lru-cache";
import { checkDocument } from "../documents/load-trusted-documents.js";
import type { CheckedDocument, RepeatedDocuments } from "../documents/trusted-document.js";
import { KIB, MIB } from "../lib/byte-size.js";
import { COMPILE_AFTER_SIGHTINGS, COMPILED_OPERATIONS_MAX } from "./compiled-execution.js";

/**
 * Longer texts are never tracked: Apollo Server answers them every time. A client's operation is a few kilobytes at
 * most; the bound keeps what the tracking remembers small whatever is sent.
 */
export const REPEATED_TEXT_MAX_CHARS = 16 * KIB;
/** Characters of text remembered in all (sightings and prepared documents), least recently used out first. */
const REMEMBERED_CHARS_MAX = 4 * MIB;

/** What is known of one text: sightings so far, then the document prepared for the fast path, or that it cannot be. */
type Entry = { sightings: number } | { document: CheckedDocument } | { declined: true };

/**
 * General documents that repeat, run on the fast path (trusted-execution.ts) from their COMPILE_AFTER_SIGHTINGS-th
 * sighting on, as graphql-jit compiles them on Apollo's path: on that sighting the text is checked as a trusted
 * document is at start (checkDocument: parsing within the limits, one operation, validation with the gateway's rules,
 * the least cost) and prepared (compiled, the admission's per-document work). Apollo Server's pipeline then no longer
 * runs for it: no parsing, validation or plugin hooks per request. A text that fails a check, or that the fast path
 * declines, is remembered as Apollo's: it answers it, refusals included, as before.
 *
 * Keyed by the text exactly as sent, so a lookup is one map read; bounded by entries (COMPILED_OPERATIONS_MAX: each
 * holds a compiled query) and by characters remembered; texts over REPEATED_TEXT_MAX_CHARS are not tracked.
 */
export class RepeatedDocumentTexts implements RepeatedDocuments {
  private readonly entries = new LRUCache<string, Entry>({
    max: COMPILED_OPERATIONS_MAX,
    maxSize: REMEMBERED_CHARS_MAX,
    sizeCalculation: (_entry, text) => Math.max(1, text.length),
  });
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxCost: number,
    /** Prepares a checked document for the fast path: false when it cannot run there (TrustedExecution.prepare). */
    private readonly prepare: (document: CheckedDocument) => boolean,
  ) {}

  byText(query: string): CheckedDocument | undefined {
    if (query.length > REPEATED_TEXT_MAX_CHARS) return undefined;
    let entry = this.entries.get(query);
    if (entry === undefined) this.entries.set(query, (entry = { sightings: 0 }));
    if ("document" in entry) return entry.document;
    if ("declined" in entry) return undefined;
    entry.sightings++;
    return entry.sightings >= COMPILE_AFTER_SIGHTINGS ? this.prepareText(query) : undefined;
  }

  /** How many texts run on the fast path now (tests check which path runs). */
  get preparedCount(): number {
    let count = 0;
    for (const entry of this.entries.values()) if ("document" in entry) count++;
    return count;
  }

  private prepareText(query: string): CheckedDocument | undefined {
    const checked = checkDocument(this.schema, query, this.maxCost);
    const document: CheckedDocument | null =
      typeof checked === "string"
        ? null
        : { body: query, document: checked.document, operation: checked.operation, operationName: checked.operation.name?.value ?? null };
    if (!document || !this.prepare(document)) {
      this.entries.set(query, { declined: true });
      return undefined;
    }
    this.entries.set(query, { document });
    return document;
  }
}
