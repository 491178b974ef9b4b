import type { TrustedDocument, TrustedDocuments } from "./trusted-document.js";

/**
 * The trusted documents served right now, behind one reference: app deployments publish and retire documents while
 * the gateway runs, and the new set replaces the old one whole (replace()), never piece by piece. A request resolves
 * its document against one set (the lookups are synchronous: no swap can fall between them), and a document it found
 * stays usable to its end even if it is retired meanwhile (the fast path keeps its preparation with the document).
 */
export class LiveTrustedDocuments implements TrustedDocuments {
  constructor(private current: TrustedDocuments) {}

  /** Serves `next` from now on; prepare its new documents for the fast path first. */
  replace(next: TrustedDocuments): void {
    this.current = next;
  }

  byId(id: string): TrustedDocument | undefined {
    return this.current.byId(id);
  }

  byText(query: string): TrustedDocument | undefined {
    return this.current.byText(query);
  }

  get size(): number {
    return this.current.size;
  }

  [Symbol.iterator](): Iterator<TrustedDocument> {
    return this.current[Symbol.iterator]();
  }
}
