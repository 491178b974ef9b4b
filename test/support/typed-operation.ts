import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { graphql, type GraphQLResponse } from "./stack.js";

/**
 * Sends a codegen TypedDocumentNode (test/generated/operations.ts) over real HTTP, as a frontend would: the body
 * is the printed document, the variables are checked against the operation's variables type, and the result is
 * typed as the operation's result type.
 */
export function execute<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers?: Record<string, string>,
): Promise<GraphQLResponse<TData>> {
  return graphql<TData>(url, print(document), variables as Record<string, unknown>, headers);
}
