import type { IncomingHttpHeaders } from "node:http";
import type { GraphQLError } from "graphql";
import { RequestErrorCode } from "../errors/error-codes.js";
import { badRequest, requestRefused } from "../errors/graphql-errors.js";
import { isJsonObject } from "../lib/json-object.js";
import {
  csrfRefusal,
  getRequestFields,
  operationRefusal,
  postBodyRefusal,
  type RefusalStage,
  type RequestFields,
} from "../operation/apollo-http-behaviour.js";
import type { CheckedDocument, RepeatedDocuments, TrustedDocument, TrustedDocuments } from "./trusted-document.js";

/** What the HTTP handler does with one GraphQL request, decided before anything is parsed. */
export type DocumentResolution =
  /** A trusted document, by id or by identical text: its variables, operation name and extensions as sent. */
  | {
      kind: "trusted";
      document: TrustedDocument;
      variables: Record<string, unknown> | undefined;
      operationName: string | undefined;
      /** Without `persistedQuery`: the document is known, there is nothing for APQ to check or register. */
      extensions: Record<string, unknown> | undefined;
    }
  /**
   * A general document the gateway has seen often enough to run it on the fast path (policy.repeated), sent as a
   * request Apollo Server would take as is: nothing of it to refuse, no persisted query to check or register.
   */
  | { kind: "repeated"; document: CheckedDocument; variables: Record<string, unknown> | undefined }
  /** Not a trusted document, and allowed as such: Apollo Server's pipeline answers it (or refuses it). */
  | { kind: "general" }
  /** Refused here: nothing is parsed, nothing goes upstream. The stage says where Apollo would have refused it. */
  | Refusal;

export interface DocumentRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** POST: the body, parsed when it was JSON; GET: undefined. */
  body: unknown;
  /** GET: the query string (`?documentId=...`), as the URL had it. */
  search: string;
}

export interface DocumentPolicy {
  /** TRUSTED_DOCUMENTS_ONLY: a document that is not trusted is refused. */
  safelist: boolean;
  /** The request carries the configured ROUTER_SECRET: exempt from safelisting (query plans, `_entities`). Without a
   * secret configured nobody is exempt, in development too. */
  router: boolean;
  /** General documents that repeat, for the fast path; absent: every general document is Apollo Server's. */
  repeated?: RepeatedDocuments;
}

type Refusal = { kind: "refused"; error: GraphQLError; stage: RefusalStage };

const refused = (error: GraphQLError, stage: RefusalStage): Refusal => ({ kind: "refused", error, stage });

/**
 * Decides, before parsing, whether a request is a trusted document, the general pipeline's, or refused:
 * - `documentId` (body or query string; bare or `sha256:<hex>`): a trusted document, or PERSISTED_QUERY_NOT_IN_LIST;
 * - `query` whose text is a trusted document's (same tokens): that document; other text: the general pipeline, or
 *   QUERY_NOT_IN_SAFELIST under safelisting;
 * - `extensions.persistedQuery.sha256Hash` alone: a trusted document; an unknown hash is Apollo's automatic persisted
 *   query (PERSISTED_QUERY_NOT_FOUND, the client resends the text), or, under safelisting, where APQ is off,
 *   PERSISTED_QUERY_NOT_IN_LIST.
 * What is decided here (a trusted document, or a refusal) first meets the rules Apollo Server applies to every
 * request, in its order, words and statuses (src/operation/apollo-http-behaviour.ts): CSRF prevention, the request's
 * shape (`variables`, `extensions`, `operationName`; a GET's parameters), then the operation it names (its name,
 * queries only over GET).
 */
export function resolveDocumentRequest(request: DocumentRequest, documents: TrustedDocuments, policy: DocumentPolicy): DocumentResolution {
  let fields: RequestFields;
  // A malformed request: Apollo refuses it for a general request; here, only once the request is ours.
  let malformed: GraphQLError | null = null;
  if (request.method === "POST") {
    if (!isJsonObject(request.body)) return { kind: "general" };
    const { documentId, query, variables, operationName, extensions } = request.body;
    fields = { documentId, query, variables, operationName, extensions };
    malformed = postBodyRefusal(request.body);
  } else if (request.method === "GET") {
    ({ fields, refusal: malformed } = getRequestFields(request.headers, request.search));
  } else {
    return { kind: "general" };
  }
  const found = findDocument(fields, documents, policy.safelist && !policy.router);
  if (found === null) return repeatedDocument(request, fields, malformed, policy.repeated);
  // Apollo Server's order: CSRF prevention first, then the request's shape, then its operation.
  const refusal = csrfRefusal(request.headers) ?? malformed;
  if (refusal) return refused(refusal, "request");
  return "kind" in found ? found : trusted(found, fields, request.method);
}

/** The trusted document the fields name, a refusal, or null: not ours, the general pipeline's. */
function findDocument(fields: RequestFields, documents: TrustedDocuments, safelisted: boolean): TrustedDocument | Refusal | null {
  const { documentId, query } = fields;
  if (documentId !== undefined && documentId !== null) {
    if (typeof documentId !== "string") return refused(badRequest("`documentId` must be a string if provided."), "request");
    if (query !== undefined && query !== null) return refused(badRequest("Send either `documentId` or `query`, not both."), "request");
    return documents.byId(documentId) ?? notInList(`No trusted document has the id ${JSON.stringify(documentId)}.`);
  }
  if (typeof query === "string") {
    const document = documents.byText(query);
    if (document) return document;
    if (!safelisted) return null;
    const message = "This gateway runs only trusted documents (TRUSTED_DOCUMENTS_ONLY): send a registered document or its id.";
    return refused(requestRefused(RequestErrorCode.QUERY_NOT_IN_SAFELIST, message, { status: 400 }), "operation");
  }
  const hash = persistedQueryHash(fields.extensions);
  if (hash === undefined) return null;
  // Unknown, without safelisting: Apollo's automatic persisted queries answer PERSISTED_QUERY_NOT_FOUND.
  return documents.byId(hash) ?? (safelisted ? notInList(`No trusted document has the sha256Hash ${JSON.stringify(hash)}.`) : null);
}

/**
 * A general request for a document that repeats, when Apollo Server would run it as sent: no refusal of any kind to
 * word (those stay Apollo's, as for any general request), no persisted query (Apollo checks and registers its hash).
 */
function repeatedDocument(
  request: DocumentRequest,
  fields: RequestFields,
  malformed: GraphQLError | null,
  repeated: RepeatedDocuments | undefined,
): DocumentResolution {
  const { query, variables, operationName, extensions } = fields;
  const general = { kind: "general" } as const;
  if (!repeated || typeof query !== "string" || malformed || csrfRefusal(request.headers)) return general;
  if (persistedQueryOf(extensions) !== undefined || (variables != null && !isJsonObject(variables))) return general;
  const document = repeated.byText(query);
  if (!document) return general;
  const name = typeof operationName === "string" ? operationName : undefined;
  if (operationRefusal(request.method, name, { name: document.operationName, type: document.operation.operation })) return general;
  return { kind: "repeated", document, variables: isJsonObject(variables) ? variables : undefined };
}

/** Stands where Apollo's own PERSISTED_QUERY_NOT_FOUND would: refused as an operation. */
function notInList(message: string): Refusal {
  return refused(requestRefused(RequestErrorCode.PERSISTED_QUERY_NOT_IN_LIST, message, { status: 400 }), "operation");
}

/** A trusted document still meets Apollo Server's rules for the operation a request names. */
function trusted(document: TrustedDocument, fields: RequestFields, method: string): DocumentResolution {
  const { variables, operationName, extensions } = fields;
  const name = typeof operationName === "string" ? operationName : undefined;
  const refusal = operationRefusal(method, name, { name: document.operationName, type: document.operation.operation });
  if (refusal) return refused(refusal, "operation");
  let rest: Record<string, unknown> | undefined;
  if (isJsonObject(extensions)) {
    const { persistedQuery: _persistedQuery, ...others } = extensions;
    rest = Object.keys(others).length > 0 ? others : undefined;
  }
  return {
    kind: "trusted",
    document,
    variables: isJsonObject(variables) ? variables : undefined,
    operationName: name,
    extensions: rest,
  };
}

/** The hash of a version-1 persisted query (Apollo's wire format); another version is Apollo's to refuse. */
function persistedQueryHash(extensions: unknown): string | undefined {
  const persistedQuery = persistedQueryOf(extensions);
  if (!isJsonObject(persistedQuery)) return undefined;
  const { sha256Hash, version } = persistedQuery;
  return typeof sha256Hash === "string" && version === 1 ? sha256Hash : undefined;
}

/** The `persistedQuery` extension as sent, whatever its shape; undefined when there is none. */
function persistedQueryOf(extensions: unknown): unknown {
  return isJsonObject(extensions) ? extensions.persistedQuery : undefined;
}
