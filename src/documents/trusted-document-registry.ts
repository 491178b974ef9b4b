import { print } from "graphql";
import { documentTextKey } from "./document-text-key.js";
import type { TrustedDocument, TrustedDocuments } from "./trusted-document.js";

const SHA256_PREFIX = "sha256:";
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const KEY_PREFIX = 64;
const SEEN_TEXTS_MAX = 1024;

/**
 * The id as the registry keys it: `sha256:<hex>` (graphql-codegen's keys, the GraphQL-over-HTTP form) and the bare
 * hex name the same document; a sha256 hex is case-insensitive. Other ids (a relay MD5, a name) are kept as given.
 */
export function normalizeDocumentId(id: string): string {
  const bare = id.startsWith(SHA256_PREFIX) ? id.slice(SHA256_PREFIX.length) : id;
  return SHA256_HEX.test(bare) ? bare.toLowerCase() : bare;
}

/** True when the id claims to be a sha256 (64 hex digits, bare or prefixed): then it must be its body's hash. */
export function isSha256Id(id: string): boolean {
  return SHA256_HEX.test(id.startsWith(SHA256_PREFIX) ? id.slice(SHA256_PREFIX.length) : id);
}

/**
 * The trusted documents, indexed the ways requests name them. Built once at start (load-trusted-documents.ts),
 * read on every request: lookups are map reads; byText reads a request's text to its end only when its beginning is
 * a trusted document's.
 */
export class TrustedDocumentRegistry implements TrustedDocuments {
  private readonly ids = new Map<string, TrustedDocument>();
  private readonly hashes = new Map<string, TrustedDocument>();
  private readonly texts = new Map<string, TrustedDocument>();
  /** The keys' first KEY_PREFIX characters: most texts that are no trusted document differ there. */
  private readonly prefixes = new Set<string>();
  /**
   * Texts exactly as requests sent them, once matched: an app sends the same bytes every time, and a string map
   * read (about a microsecond) is much cheaper than building the key again (tens, for a page with fragments).
   * Bounded: past SEEN_TEXTS_MAX variants, new ones are matched by key each time.
   */
  private readonly seenTexts = new Map<string, TrustedDocument>();
  private readonly all: TrustedDocument[] = [];
  /** The shortest text key: a request's text shorter than it cannot be a trusted document (keys never grow). */
  private shortestKey = Number.POSITIVE_INFINITY;

  /** Registers a checked document; the loader has already refused a second body under one id. */
  add(document: TrustedDocument): void {
    const id = normalizeDocumentId(document.id);
    if (this.ids.has(id)) return;
    this.ids.set(id, document);
    this.all.push(document);
    if (!this.hashes.has(document.sha256)) this.hashes.set(document.sha256, document);
    // As registered, and as graphql-js prints it (what a client that re-prints the document sends).
    for (const key of [documentTextKey(document.body), documentTextKey(print(document.document))]) {
      if (!this.texts.has(key)) this.texts.set(key, document);
      if (!this.seenTexts.has(document.body)) this.seenTexts.set(document.body, document);
      this.prefixes.add(key.slice(0, KEY_PREFIX));
      this.shortestKey = Math.min(this.shortestKey, key.length);
    }
  }

  byId(id: string): TrustedDocument | undefined {
    const key = normalizeDocumentId(id);
    return this.ids.get(key) ?? this.hashes.get(key);
  }

  byText(query: string): TrustedDocument | undefined {
    // A key is never longer than its text: most general requests stop here when every trusted document is long.
    if (query.length < this.shortestKey) return undefined;
    const seen = this.seenTexts.get(query);
    if (seen) return seen;
    // Then the first characters of its key (the operation's name and variables, usually): a general request pays for
    // reading those, not its whole text.
    if (!this.prefixes.has(documentTextKey(query, KEY_PREFIX))) return undefined;
    const document = this.texts.get(documentTextKey(query));
    if (document && this.seenTexts.size < SEEN_TEXTS_MAX) this.seenTexts.set(query, document);
    return document;
  }

  get size(): number {
    return this.all.length;
  }

  [Symbol.iterator](): Iterator<TrustedDocument> {
    return this.all[Symbol.iterator]();
  }
}
