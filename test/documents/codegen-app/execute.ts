import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

/** A client-preset document with persistedDocuments on: its sha256 (`sha256:<hex>`) rides along as `__meta__.hash`. */
type PersistedDocument<TData, TVariables> = TypedDocumentNode<TData, TVariables> & { __meta__?: { hash?: string } };

export interface ExecutionResult<TData> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/**
 * The app's network layer, as graphql-codegen's persisted-documents guide has it: the document's hash goes as
 * `documentId` (the GraphQL-over-HTTP persisted-document form), the document's text never does.
 */
export async function executePersisted<TData, TVariables>(
  url: string,
  document: PersistedDocument<TData, TVariables>,
  variables: TVariables,
  fetcher: typeof fetch = fetch,
): Promise<ExecutionResult<TData>> {
  const documentId = document.__meta__?.hash;
  if (!documentId) throw new TypeError("This document has no __meta__.hash: generate it with presetConfig.persistedDocuments.");
  const response = await fetcher(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ documentId, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<ExecutionResult<TData>, "status">) };
}
