import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServer, BaseContext } from "@apollo/server";
import type { GraphQLError } from "graphql";
import { resolveDocumentRequest, type DocumentResolution } from "../documents/resolve-document-request.js";
import type { RepeatedDocuments, TrustedDocument, TrustedDocuments } from "../documents/trusted-document.js";
import { nestedTooDeep } from "../errors/graphql-errors.js";
import type { RunTrusted } from "../execution/trusted-execution.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { prefersHtml, refusalAnswer, type RefusalStage } from "../operation/apollo-http-behaviour.js";
import { documentNestingProblem } from "../operation/operation-admission.js";
import { isJsonObject } from "../lib/json-object.js";
import { apolloHeaders, sendApolloResponse } from "./apollo-exchange.js";
import type { BodyBudget } from "./body-budget.js";
import { readGraphQLBody, type BodyOwner } from "./graphql-body.js";
import type { LingeringClose } from "./lingering-close.js";
import { refuseBeforeBody } from "./refuse-before-body.js";
import { sendRefusal } from "./refusal.js";
import { traceOperation } from "../observability/operation-span.js";
import type { Refusal } from "../observability/refusal-log.js";
import { errorCodeOf } from "../errors/error-codes.js";

export type GraphQLHandler<TContext> = (
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
  context: () => Promise<TContext>,
  /** Who is calling, from the headers alone (rejects with the refusal); the same promise the context awaits. */
  caller: () => Promise<BodyOwner>,
  /** The request carries the configured ROUTER_SECRET (exempt from safelisting). */
  routerProven: boolean,
) => Promise<void>;

export interface GraphQLHandlerOptions {
  bodyBudget: BodyBudget;
  /** Trusted documents (src/documents): requests by id, and the safelist. */
  documents: TrustedDocuments;
  /** TRUSTED_DOCUMENTS_ONLY: only trusted documents run (the router excepted). */
  safelist: boolean;
  /** The trusted documents' fast path (src/execution); null: trusted documents run on Apollo Server too. */
  runTrusted: RunTrusted | null;
  /** General documents that repeat, run on the fast path too (src/execution/repeated-documents.ts); null: Apollo's. */
  repeated: RepeatedDocuments | null;
  /** Reads the rest of a body refused before it arrived, so the client receives the refusal (lingering-close.ts). */
  lingering: LingeringClose;
  /** Apollo Server serves its landing page (outside production): a GET that prefers HTML is its to answer. */
  landingPage: boolean;
  /** Told of each request for a trusted document, once resolved (app deployments' usage: no I/O here). */
  onTrustedDocument: (document: TrustedDocument, headers: IncomingHttpHeaders) => void;
  /**
   * Told of each refusal written here (the body, the trusted documents and safelisting, the document's nesting): its
   * class only, since their words may quote what the client sent (src/observability/refusal-log.ts).
   */
  onRefusal: (refusal: Refusal) => void;
}

/**
 * Apollo Server on plain node:http (no Express): the body is read (its caller settled first), the trusted documents
 * looked up, and the request run on the fast path or handed to executeHTTPGraphQLRequest as is. Apollo keeps doing
 * CSRF prevention, content negotiation, the landing page and batching rules.
 */
export function createGraphQLHandler<TContext extends GatewayContext & BaseContext>(
  apollo: ApolloServer<TContext>,
  options: GraphQLHandlerOptions,
): GraphQLHandler<TContext> {
  const { documents, safelist, runTrusted, lingering, landingPage, onTrustedDocument } = options;
  const repeated = options.repeated ?? undefined;
  return async (request, response, search, context, caller, routerProven) => {
    const refuse = (error: GraphQLError, stage: RefusalStage) => {
      const answer = refusalAnswer(error, request.headers.accept, stage);
      options.onRefusal({ status: answer.status, code: errorCodeOf(error) });
      sendRefusal(request, response, answer, lingering);
    };
    const method = request.method ?? "GET";
    let body: unknown;
    if (method === "POST") {
      const read = await readGraphQLBody(request, caller, options.bodyBudget);
      if (read.kind === "caller refused") return refuseBeforeBody(apollo, request, response, search, read.refusal, lingering);
      if (read.kind === "refused") return refuse(read.error, "request");
      if (read.kind === "aborted") {
        response.destroy();
        return;
      }
      body = read.body;
    }
    // Trusted documents, before anything is parsed: by id, by identical text, or refused (src/documents). A browser's
    // GET for Apollo's landing page is Apollo's, whatever it carries.
    const resolution =
      landingPage && prefersHtml(method, request.headers.accept)
        ? ({ kind: "general" } as const)
        : resolveDocumentRequest({ method, headers: request.headers, body, search }, documents, {
            safelist,
            router: routerProven,
            repeated,
          });
    if (resolution.kind === "refused") return refuse(resolution.error, resolution.stage);
    if (resolution.kind === "trusted") {
      const { document, variables } = resolution;
      onTrustedDocument(document, request.headers);
      // The fast path, unless it leaves this request to Apollo (trusted-execution.ts says when).
      if (runTrusted && (await runTrusted(document, variables, request, response, context))) return;
      ({ body, search } = trustedRequestForApollo(resolution, method, body, search));
    } else if (resolution.kind === "repeated") {
      // Checked when it was prepared (nesting included); left to Apollo as sent when the fast path declines it.
      if (runTrusted && (await runTrusted(resolution.document, resolution.variables, request, response, context))) return;
    } else {
      // Admission's first step, before Apollo parses it: a deep document must not reach graphql-js's recursive parser.
      const tooDeep = documentNestingProblemOf(method, body, search);
      // Stands where Apollo's parser would refuse the document: an operation's refusal.
      if (tooDeep) return refuse(nestedTooDeep(tooDeep), "operation");
    }
    // One operation (batching is off): Apollo's whole pipeline runs inside its span, so plugins name it and the
    // admission, cache and upstream spans nest under it.
    const result = await traceOperation(() =>
      apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers: apolloHeaders(request), search, body }, context }),
    );
    await sendApolloResponse(response, result);
  };
}

/** The nesting limit a request's `query` text breaks (a POST body's member, a GET's parameter), or null. */
function documentNestingProblemOf(method: string, body: unknown, search: string): ReturnType<typeof documentNestingProblem> {
  const query = method === "POST" ? (isJsonObject(body) ? body.query : undefined) : new URLSearchParams(search).get("query");
  return typeof query === "string" ? documentNestingProblem(query) : null;
}

/**
 * A trusted document as Apollo Server runs any request: its registered text as `query`, without `documentId` and
 * without the `persistedQuery` extension (which would have Apollo check or register a hash against the text).
 */
function trustedRequestForApollo(
  resolution: Extract<DocumentResolution, { kind: "trusted" }>,
  method: string,
  body: unknown,
  search: string,
): { body: unknown; search: string } {
  const { document, variables, operationName, extensions } = resolution;
  if (method === "POST") {
    // Absent fields stay absent: Apollo refuses a present `extensions: undefined` as not an object.
    const fields = Object.entries({ variables, operationName, extensions }).filter(([, value]) => value !== undefined);
    return { body: { query: document.body, ...Object.fromEntries(fields) }, search };
  }
  const params = new URLSearchParams(search);
  params.delete("documentId");
  params.set("query", document.body);
  if (extensions) params.set("extensions", JSON.stringify(extensions));
  else params.delete("extensions");
  return { body, search: `?${params.toString()}` };
}
