import type { DocumentNode, OperationDefinitionNode } from "graphql";

/**
 * One operation an app registered ahead (an entry of a `TRUSTED_DOCUMENTS` manifest, or a shipped operation from
 * `schema/operations/`), parsed, validated against the served schema and cost-checked when the gateway starts.
 */
export interface TrustedDocument {
  /** The id clients send: the manifest's key or `id` (a sha256 hex for the usual client tools). */
  readonly id: string;
  /** sha256 hex of `body`: what Apollo's `extensions.persistedQuery.sha256Hash` names. */
  readonly sha256: string;
  /** The document text as registered. */
  readonly body: string;
  readonly document: DocumentNode;
  /** The document's one executable operation (a trusted document holds exactly one; checked at load). */
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | null;
  /** Where it came from, for messages: a manifest file path, or `schema/operations/<file>`. */
  readonly source: string;
}

/** The trusted documents of this gateway, looked up the ways clients name them. */
export interface TrustedDocuments extends Iterable<TrustedDocument> {
  /** By `documentId` (bare, or `sha256:<hex>`) or by `extensions.persistedQuery.sha256Hash`. */
  byId(id: string): TrustedDocument | undefined;
  /** By a document sent as text: equal to a trusted one after parsing and printing. */
  byText(query: string): TrustedDocument | undefined;
  readonly size: number;
}
