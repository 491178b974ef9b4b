import type { IncomingMessage, ServerResponse } from "node:http";
import { NoSchemaIntrospectionCustomRule, validate, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { firstHeaderValue } from "../lib/header-value.js";
import { asGraphQLError } from "../errors/graphql-errors.js";
import type { TrustedDocument, TrustedDocuments } from "../documents/trusted-document.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics, OperationSeries } from "../observability/metrics.js";
import { logUnexpectedErrors, maskUnexpectedErrors } from "../plugins/error-masking.plugin.js";
import type { OperationAdmission } from "../plugins/operation-admission.js";
import type { OperationObserver } from "../plugins/operation-observer.plugin.js";
import type { KeptAnswers } from "../plugins/kept-answers.js";
import {
  INLINE_TRACE_HEADER,
  answerHeaders,
  classifyExecutionError,
  contextFailure,
  formatErrors,
  negotiatedMediaType,
  operationStatus,
  resultBody,
} from "../plugins/apollo-http-behaviour.js";
import { executeOperation, type ExecutableOperation } from "./compiled-execution.js";
import { traceOperation } from "../observability/operation-span.js";

/** What is known of a trusted document from its text alone: worked out once, when the gateway starts. */
interface PreparedDocument {
  readonly trusted: TrustedDocument;
  readonly operation: ExecutableOperation;
  readonly compiled: CompiledQuery;
  readonly operationType: string;
  readonly operationSeries: OperationSeries;
  /** Names the document among the answers kept whole (KeptAnswers.digestOf); "" when they are off. */
  readonly documentDigest: string;
}

/**
 * Runs one trusted document for one request; false when the request is left to Apollo Server instead. The request
 * has met Apollo's request rules already (CSRF prevention, the body's shape, the operation name, queries only over
 * GET: src/documents/resolve-document-request.ts).
 */
export type RunTrusted = (
  trusted: TrustedDocument,
  variables: Record<string, unknown> | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  context: () => Promise<GatewayContext>,
) => Promise<boolean>;

/**
 * The trusted documents' fast path: a document registered ahead runs straight from the HTTP handler, beside Apollo
 * Server, with the same admission (plugins/operation-admission.ts), the same compiled execution
 * (compiled-execution.ts's executeOperation), the same error formatting and masking, the same operation log line and
 * metrics (OperationObserver), and Apollo's negotiation, status codes, headers and body bytes
 * (plugins/apollo-http-behaviour.ts). What it skips is what depends only on the document: parsing, validation, the
 * document's cache lookups, compiling, all done once at start. What it would not answer exactly as Apollo does (an
 * Accept header that takes no JSON answer, inline traces for the router, introspection while it is off, a document
 * graphql-jit declines to compile) is left to Apollo Server.
 */
export class TrustedExecution {
  /**
   * Keyed by the document itself, weakly: documents published later are prepared before they are served
   * (prepare()), and a retired one's preparation goes with it, once no request holds it any more.
   */
  private readonly prepared = new WeakMap<TrustedDocument, PreparedDocument>();
  /** Requests this path answered (the rest went to Apollo): what tells, from outside, which path ran. */
  answered = 0;

  constructor(
    documents: TrustedDocuments,
    private readonly deps: {
      schema: GraphQLSchema;
      admission: OperationAdmission;
      observer: OperationObserver;
      metrics: GatewayMetrics;
      logger: Logger;
      /** Production: unexpected errors masked, no stack traces. */
      mask: boolean;
      /** GRAPHQL_INTROSPECTION: off, a trusted document that introspects is Apollo's to refuse, as any other. */
      introspection: boolean;
      includeStacktrace: boolean;
      /** Answers kept whole; null: off. */
      answers: KeptAnswers | null;
    },
  ) {
    this.prepare(documents);
  }

  /**
   * Prepares documents not seen before (those an app deployment publishes while the gateway runs), before they are
   * served. Returns how many of them run on this path (graphql-jit compiles them; the others run on Apollo's).
   */
  prepare(documents: Iterable<TrustedDocument>): number {
    let compiled = 0;
    for (const trusted of documents) if (this.prepared.has(trusted) || this.prepareOne(trusted)) compiled++;
    return compiled;
  }

  private prepareOne(trusted: TrustedDocument): boolean {
    const { schema, metrics } = this.deps;
    // Apollo refuses introspection at validation when it is off; a manifest must not be a way round that.
    if (!this.deps.introspection && validate(schema, trusted.document, [NoSchemaIntrospectionCustomRule]).length > 0) return false;
    const operationName = trusted.operationName ?? undefined;
    const compiled = compileQuery(schema, trusted.document, operationName);
    if (!isCompiledQuery(compiled)) return false;
    this.deps.admission.prepare(trusted.document, trusted.operation);
    this.prepared.set(trusted, {
      trusted,
      operation: { schema, document: trusted.document, operationName },
      compiled,
      operationType: trusted.operation.operation,
      // Admitted as a label and bound now: a trusted operation's name is one the apps send, as the shipped ones.
      operationSeries: metrics.operationSeries(trusted.operationName),
      documentDigest: this.deps.answers?.digestOf(trusted.body) ?? "",
    });
    return true;
  }

  readonly run: RunTrusted = async (trusted, variables, request, response, context) => {
    const startedAt = performance.now();
    const prepared = this.prepared.get(trusted);
    const contentType = negotiatedMediaType(request.headers.accept);
    if (!prepared || contentType === null || request.headers[INLINE_TRACE_HEADER] !== undefined) return false;
    this.answered++;
    // The operation's span, as on Apollo's path (graphql-handler.ts), named for the trusted document.
    const description = { type: prepared.operationType, name: trusted.operationName, documentId: trusted.id };
    return traceOperation(() => this.answer(prepared, variables, request, response, context, contentType, startedAt), description);
  };

  private async answer(
    prepared: PreparedDocument,
    variables: Record<string, unknown> | undefined,
    request: IncomingMessage,
    response: ServerResponse,
    context: () => Promise<GatewayContext>,
    contentType: string,
    startedAt: number,
  ): Promise<true> {
    const { trusted } = prepared;

    let contextValue: GatewayContext;
    try {
      contextValue = await context();
    } catch (error) {
      // As Apollo: the context's error alone, formatted, no plugin hooks (no masking, no operation line).
      const formatted = formatErrors([contextFailure(error)], this.deps.includeStacktrace);
      this.send(response, formatted.status ?? 500, formatted.headers, contentType, resultBody({ errors: formatted.errors }));
      return true;
    }
    const { requestId } = contextValue;

    const ticket = this.deps.answers?.ticket(
      {
        documentDigest: prepared.documentDigest,
        operationName: trusted.operationName,
        operationType: prepared.operationType,
        variables,
        header: (name) => firstHeaderValue(request.headers[name]),
      },
      contextValue,
    );
    let errors: readonly GraphQLError[] | undefined;
    let data: unknown;
    let refused = false;
    try {
      await this.deps.admission.admit(trusted.document, trusted.operation, variables, contextValue.caller, ticket?.lookup);
    } catch (error) {
      errors = [asGraphQLError(error)];
      refused = true;
    }
    if (ticket?.hit && !refused) {
      this.observe(prepared, startedAt, 200, undefined, contextValue);
      this.send(response, 200, [], contentType, ticket.hit);
      return true;
    }
    if (!refused) {
      try {
        const result = await executeOperation(prepared.operation, prepared.compiled, contextValue, variables);
        errors = result.errors?.map(classifyExecutionError);
        data = result.data;
      } catch (error) {
        errors = [asGraphQLError(error)];
        refused = true;
      }
    }

    let formattedErrors: GraphQLFormattedError[] | undefined;
    let errorStatus: number | undefined;
    let headers: Array<[string, string]> = [];
    if (errors && errors.length > 0) {
      logUnexpectedErrors(errors, requestId, this.deps.logger);
      const formatted = formatErrors(errors, this.deps.includeStacktrace);
      errorStatus = formatted.status;
      headers = formatted.headers;
      formattedErrors = this.deps.mask ? maskUnexpectedErrors(formatted.errors, requestId) : formatted.errors;
    }
    const status = operationStatus(errorStatus, { hasErrors: formattedErrors !== undefined, refused, data });
    const body = Buffer.from(resultBody(refused ? { errors: formattedErrors } : { errors: formattedErrors, data }));
    await ticket?.settle(formattedErrors === undefined && !refused ? body : null);
    this.observe(prepared, startedAt, status, formattedErrors, contextValue);
    this.send(response, status, headers, contentType, body);
    return true;
  }

  private observe(
    prepared: PreparedDocument,
    startedAt: number,
    status: number,
    errors: GraphQLFormattedError[] | undefined,
    context: GatewayContext,
  ): void {
    const { trusted } = prepared;
    this.deps.observer.observe({
      startedAt,
      operationName: trusted.operationName,
      operationSeries: prepared.operationSeries,
      operationType: prepared.operationType,
      documentId: trusted.id,
      status,
      errors,
      context,
    });
  }

  private send(
    response: ServerResponse,
    status: number,
    headers: Array<[string, string]>,
    contentType: string,
    body: string | Buffer,
  ): void {
    const answer = answerHeaders(headers, contentType);
    // As Node does for the Apollo path's `end(string)` after setHeader: a length, not a chunked body.
    answer["content-length"] = Buffer.byteLength(body);
    response.writeHead(status, answer);
    response.end(body);
  }
}
