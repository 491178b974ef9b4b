import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServer, BaseContext } from "@apollo/server";
import type { GraphQLError } from "graphql";
import { resolveDocumentRequest, type DocumentResolution } from "../documents/resolve-document-request.js";
import type { TrustedDocument, TrustedDocuments } from "../documents/trusted-document.js";
import { badRequest, bodyTooLarge, nestedTooDeep, tooManyBodies } from "../errors/graphql-errors.js";
import type { RunTrusted } from "../execution/trusted-execution.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { prefersHtml, refusalAnswer, type RefusalStage } from "../plugins/apollo-http-behaviour.js";
import { documentNestingProblem } from "../plugins/operation-admission.js";
import { MAX_REQUEST_BODY_BYTES } from "../limits/operation-limits.js";
import { apolloHeaders, sendApolloResponse } from "./apollo-exchange.js";
import type { BodyBudget } from "./body-budget.js";
import { admitBody, type BodyOwner } from "./body-admission.js";
import type { LingeringClose } from "./lingering-close.js";
import { BodyAbortedError, BodyBudgetExhaustedError, BodyTooLargeError, readBody } from "./read-body.js";
import { refuseBeforeBody } from "./refuse-before-body.js";
import { sendRefusal } from "./refusal.js";
import { traceOperation } from "../observability/operation-span.js";

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

/**
 * Apollo Server on plain node:http (no Express): the request is handed to executeHTTPGraphQLRequest as is.
 * Apollo keeps doing CSRF prevention, content negotiation, the landing page and batching rules.
 */
export function createGraphQLHandler<TContext extends GatewayContext & BaseContext>(
  apollo: ApolloServer<TContext>,
  options: {
    bodyBudget?: BodyBudget;
    /** Trusted documents (src/documents): requests by id, and the safelist. */
    documents?: TrustedDocuments;
    /** TRUSTED_DOCUMENTS_ONLY: only trusted documents run (the router excepted). */
    safelist?: boolean;
    /** The trusted documents' fast path (src/execution); null: trusted documents run on Apollo Server too. */
    runTrusted?: RunTrusted | null;
    /** Reads the rest of a body refused before it arrived, so the client receives the refusal (lingering-close.ts). */
    lingering?: LingeringClose;
    /** Apollo Server serves its landing page (outside production): a GET that prefers HTML is its to answer. */
    landingPage?: boolean;
    /** Told of each request for a trusted document, once resolved (app deployments' usage: no I/O here). */
    onTrustedDocument?: (document: TrustedDocument, headers: IncomingHttpHeaders) => void;
  } = {},
): GraphQLHandler<TContext> {
  const { documents, safelist = false, runTrusted = null, lingering, landingPage = false, onTrustedDocument } = options;
  return async (request, response, search, context, caller, routerProven) => {
    const refuse = (error: GraphQLError, stage: RefusalStage) =>
      sendRefusal(request, response, refusalAnswer(error, request.headers.accept, stage), lingering);
    let body: unknown;
    // Who is calling is settled before a byte of the body is read: a refused caller holds no body memory.
    const admission = request.method === "POST" ? await admitBody(caller) : null;
    if (admission?.refusal) return refuseBeforeBody(apollo, request, response, search, admission.refusal, lingering);
    if (request.method === "POST") {
      let text: string;
      try {
        text = await readBody(request, { budget: options.bodyBudget, caller: admission?.owner });
      } catch (error) {
        if (error instanceof BodyTooLargeError) return refuse(bodyTooLarge(MAX_REQUEST_BODY_BYTES), "request");
        // Too many bodies in transit at once: refused without keeping the rest of this one.
        if (error instanceof BodyBudgetExhaustedError) return refuse(tooManyBodies(), "request");
        // Nobody is left to answer (the client left, or the request timeout answered 408 and closed).
        if (error instanceof BodyAbortedError) {
          response.destroy();
          return;
        }
        throw error;
      }
      const type = request.headers["content-type"] ?? "";
      if (type.includes("json")) {
        try {
          body = text.length === 0 ? undefined : JSON.parse(text);
        } catch {
          return refuse(badRequest("Request body is not valid JSON."), "request");
        }
      } else {
        body = text;
      }
    }
    // Trusted documents, before anything is parsed: by id, by identical text, or refused (src/documents). A browser's
    // GET for Apollo's landing page is Apollo's, whatever it carries.
    const method = request.method ?? "GET";
    const resolution =
      documents && !(landingPage && prefersHtml(method, request.headers.accept))
        ? resolveDocumentRequest({ method, headers: request.headers, body, search }, documents, { safelist, router: routerProven })
        : ({ kind: "general" } as const);
    if (resolution.kind === "refused") return refuse(resolution.error, resolution.stage);
    if (resolution.kind === "trusted") {
      const { document, variables } = resolution;
      onTrustedDocument?.(document, request.headers);
      // The fast path, unless it leaves this request to Apollo (trusted-execution.ts says when).
      if (runTrusted && (await runTrusted(document, variables, request, response, context))) return;
      ({ body, search } = trustedRequestForApollo(resolution, method, body, search));
    }
    // Admission's first step, before Apollo parses it: a deep document must not reach graphql-js's recursive parser.
    const query =
      request.method === "POST" ? (body as { query?: unknown } | null | undefined)?.query : new URLSearchParams(search).get("query");
    const tooDeep = typeof query === "string" && resolution.kind === "general" ? documentNestingProblem(query) : null;
    // Stands where Apollo's parser would refuse the document: an operation's refusal.
    if (tooDeep) return refuse(nestedTooDeep(tooDeep), "operation");
    // One operation (batching is off): Apollo's whole pipeline runs inside its span, so plugins name it and the
    // admission, cache and upstream spans nest under it.
    const result = await traceOperation(() =>
      apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers: apolloHeaders(request), search, body }, context }),
    );
    await sendApolloResponse(response, result);
  };
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
