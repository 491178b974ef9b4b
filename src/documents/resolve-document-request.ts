import type { IncomingHttpHeaders } from "node:http";
import { OperationTypeNode } from "graphql";
import { RequestErrorCode } from "../errors/error-codes.js";
import type { TrustedDocument, TrustedDocuments } from "./trusted-document.js";

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
  /** Not a trusted document, and allowed as such: Apollo Server's pipeline answers it (or refuses it). */
  | { kind: "general" }
  /** Refused here: nothing is parsed, nothing goes upstream. */
  | { kind: "refused"; status: number; code: string; message: string; headers?: Record<string, string> };

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
}

type Refusal = Extract<DocumentResolution, { kind: "refused" }>;

const badRequest = (message: string, status = 400, headers?: Record<string, string>): Refusal => ({
  kind: "refused",
  status,
  code: RequestErrorCode.BAD_REQUEST,
  message,
  ...(headers ? { headers } : {}),
});

/** The request fields, from a POST body or a GET query string: wrong shapes come back as a refusal. */
interface RequestFields {
  documentId: unknown;
  query: unknown;
  variables: unknown;
  operationName: unknown;
  extensions: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decides, before parsing, whether a request is a trusted document, the general pipeline's, or refused:
 * - `documentId` (body or query string; bare or `sha256:<hex>`): a trusted document, or PERSISTED_QUERY_NOT_IN_LIST;
 * - `query` whose text is a trusted document's (same tokens): that document; other text: the general pipeline, or
 *   QUERY_NOT_IN_SAFELIST under safelisting;
 * - `extensions.persistedQuery.sha256Hash` alone: a trusted document; an unknown hash is Apollo's automatic persisted
 *   query (PERSISTED_QUERY_NOT_FOUND, the client resends the text), or, under safelisting, where APQ is off,
 *   PERSISTED_QUERY_NOT_IN_LIST.
 * What is decided here (a trusted document, or a refusal) first meets the rules Apollo Server applies to every
 * request, with its words and statuses: CSRF prevention, then the request's shape (`variables`, `extensions`,
 * `operationName`), and queries only over GET.
 */
export function resolveDocumentRequest(request: DocumentRequest, documents: TrustedDocuments, policy: DocumentPolicy): DocumentResolution {
  let fields: RequestFields;
  // A GET's malformed parameter: Apollo refuses it for a general request; here, only once the request is ours.
  let malformed: Refusal | null = null;
  if (request.method === "POST") {
    if (!isRecord(request.body)) return { kind: "general" };
    const { documentId, query, variables, operationName, extensions } = request.body;
    fields = { documentId, query, variables, operationName, extensions };
  } else if (request.method === "GET") {
    ({ fields, malformed } = fieldsOfSearch(request.search));
  } else {
    return { kind: "general" };
  }
  const found = findDocument(fields, documents, policy.safelist && !policy.router);
  if (found === null) return { kind: "general" };
  // Apollo Server's order: CSRF prevention first, then the request's shape.
  const refusal = csrfRefusal(request.headers) ?? malformed;
  if (refusal) return refusal;
  return "kind" in found ? found : trusted(found, fields, request.method);
}

/** The trusted document the fields name, a refusal, or null: not ours, the general pipeline's. */
function findDocument(fields: RequestFields, documents: TrustedDocuments, safelisted: boolean): TrustedDocument | Refusal | null {
  const { documentId, query } = fields;
  if (documentId !== undefined && documentId !== null) {
    if (typeof documentId !== "string") return badRequest("`documentId` must be a string if provided.");
    if (query !== undefined && query !== null) return badRequest("Send either `documentId` or `query`, not both.");
    return documents.byId(documentId) ?? notInList(`No trusted document has the id ${JSON.stringify(documentId)}.`);
  }
  if (typeof query === "string") {
    const document = documents.byText(query);
    if (document) return document;
    if (!safelisted) return null;
    return {
      kind: "refused",
      status: 400,
      code: RequestErrorCode.QUERY_NOT_IN_SAFELIST,
      message: "This gateway runs only trusted documents (TRUSTED_DOCUMENTS_ONLY): send a registered document or its id.",
    };
  }
  const hash = persistedQueryHash(fields.extensions);
  if (hash === undefined) return null;
  // Unknown, without safelisting: Apollo's automatic persisted queries answer PERSISTED_QUERY_NOT_FOUND.
  return documents.byId(hash) ?? (safelisted ? notInList(`No trusted document has the sha256Hash ${JSON.stringify(hash)}.`) : null);
}

function notInList(message: string): Refusal {
  return { kind: "refused", status: 400, code: RequestErrorCode.PERSISTED_QUERY_NOT_IN_LIST, message };
}

/** A trusted document still meets Apollo Server's request rules (the general pipeline's words and statuses). */
function trusted(document: TrustedDocument, fields: RequestFields, method: string): DocumentResolution {
  const { variables, operationName, extensions } = fields;
  if (method === "POST") {
    if (typeof variables === "string") {
      return badRequest("`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.");
    }
    if (typeof extensions === "string") {
      return badRequest("`extensions` in a POST body should be provided as an object, not a recursively JSON-encoded string.");
    }
    if (extensions !== undefined && extensions !== null && !isRecord(extensions)) {
      return badRequest("`extensions` in a POST body must be an object if provided.");
    }
    if (variables !== undefined && variables !== null && !isRecord(variables)) {
      return badRequest("`variables` in a POST body must be an object if provided.");
    }
    if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
      return badRequest("`operationName` in a POST body must be a string if provided.");
    }
  }
  if (typeof operationName === "string" && operationName !== document.operationName) {
    return {
      kind: "refused",
      status: 400,
      code: RequestErrorCode.OPERATION_RESOLUTION_FAILURE,
      message: `Unknown operation named "${operationName}".`,
    };
  }
  if (method === "GET" && document.operation.operation !== OperationTypeNode.QUERY) {
    const type = document.operation.operation;
    return badRequest(`GET requests only support query operations, not ${type} operations`, 405, { allow: "POST" });
  }
  let rest: Record<string, unknown> | undefined;
  if (isRecord(extensions)) {
    const { persistedQuery: _persistedQuery, ...others } = extensions;
    rest = Object.keys(others).length > 0 ? others : undefined;
  }
  return {
    kind: "trusted",
    document,
    variables: isRecord(variables) ? variables : undefined,
    operationName: typeof operationName === "string" ? operationName : undefined,
    extensions: rest,
  };
}

/** The hash of a version-1 persisted query (Apollo's wire format); another version is Apollo's to refuse. */
function persistedQueryHash(extensions: unknown): string | undefined {
  if (!isRecord(extensions) || !isRecord(extensions.persistedQuery)) return undefined;
  const { sha256Hash, version } = extensions.persistedQuery;
  return typeof sha256Hash === "string" && version === 1 ? sha256Hash : undefined;
}

/**
 * A GET's fields, as Apollo Server reads them (runHttpQuery.js): each at most once, the JSON ones JSON objects. What
 * breaks those rules is left out of the fields and comes back as `malformed`, in Apollo's words.
 */
function fieldsOfSearch(search: string): { fields: RequestFields; malformed: Refusal | null } {
  const params = new URLSearchParams(search);
  const fields: RequestFields = {
    documentId: undefined,
    query: undefined,
    variables: undefined,
    operationName: undefined,
    extensions: undefined,
  };
  let malformed: Refusal | null = null;
  for (const name of ["documentId", "query", "operationName", "variables", "extensions"] as const) {
    const values = params.getAll(name);
    if (values.length === 0) continue;
    if (values.length > 1) {
      malformed ??= badRequest(`The '${name}' search parameter may only be specified once.`);
      continue;
    }
    if (name !== "variables" && name !== "extensions") {
      fields[name] = values[0];
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(values[0]);
    } catch {
      malformed ??= badRequest(`The ${name} search parameter contains invalid JSON.`);
      continue;
    }
    if (isRecord(value)) fields[name] = value;
    else malformed ??= badRequest(`The ${name} search parameter should contain a JSON-encoded object.`);
  }
  return { fields, malformed };
}

// Apollo Server's CSRF prevention (preventCsrf.js), which it applies to every request: a request a browser could
// send cross-site without a preflight (a GET, or a POST of a form's content types) must carry one of these headers.
const NON_PREFLIGHTED_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];
const PREFLIGHT_HEADERS = ["x-apollo-operation-name", "apollo-require-preflight"];

function csrfRefusal(headers: IncomingHttpHeaders): Refusal | null {
  const contentType = headers["content-type"];
  if (contentType !== undefined) {
    const essence = contentType.split(";")[0].trim().toLowerCase();
    // Apollo lets an unparseable content type through as well: no browser sends one without a preflight.
    if (!NON_PREFLIGHTED_CONTENT_TYPES.includes(essence)) return null;
  }
  if (PREFLIGHT_HEADERS.some((name) => (headers[name]?.length ?? 0) > 0)) return null;
  return badRequest(
    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a " +
      `'content-type' header (with a type that is not one of ${NON_PREFLIGHTED_CONTENT_TYPES.join(", ")}) or provide a ` +
      `non-empty value for one of the following headers: ${PREFLIGHT_HEADERS.join(", ")}\n`,
  );
}
