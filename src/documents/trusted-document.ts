import type { DocumentNode, OperationDefinitionNode } from "graphql";

/**
 * A document checked as a trusted one is at start (load-trusted-documents.ts's checkDocument): parsed, holding exactly
 * one operation, valid against the served schema with the gateway's rules, within the cost limit. What the fast path
 * needs to run it (src/execution/trusted-execution.ts): a trusted document, or a general one sent again and again
 * (src/execution/repeated-documents.ts).
 */
export interface CheckedDocument {
  /** The document text: as registered, or as a client sent it. */
  readonly body: string;
  readonly document: DocumentNode;
  /** The document's one executable operation. */
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | null;
}

/**
 * One operation an app registered ahead (an entry of a `TRUSTED_DOCUMENTS` manifest, or a shipped operation from
 * `schema/operations/`), parsed, validated against the served schema and cost-checked when the gateway starts.
 */
export interface TrustedDocument extends CheckedDocument {
  /** The id clients send: the manifest's key or `id` (a sha256 hex for the usual client tools). */
  readonly id: string;
  /** sha256 hex of `body`: what Apollo's `extensions.persistedQuery.sha256Hash` names. */
  readonly sha256: string;
  /** Where it came from, for messages: a manifest file path, or `schema/operations/<file>`. */
  readonly source: string;
}

/**
 * General documents the fast path runs once they repeat (src/execution/repeated-documents.ts), by their text exactly
 * as sent: undefined while a text is new, or when it cannot run there (Apollo Server answers it, as any other).
 */
export interface RepeatedDocuments {
  byText(query: string): CheckedDocument | undefined;
}

/** The trusted documents of this gateway, looked up the ways clients name them. */
export interface TrustedDocuments extends Iterable<TrustedDocument> {
  /** By `documentId` (bare, or `sha256:<hex>`) or by `extensions.persistedQuery.sha256Hash`. */
  byId(id: string): TrustedDocument | undefined;
  /** By a document sent as text: equal to a trusted one after parsing and printing. */
  byText(query: string): TrustedDocument | undefined;
  readonly size: number;
}
