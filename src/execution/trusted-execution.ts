import type { IncomingMessage, ServerResponse } from "node:http";
import { NoSchemaIntrospectionCustomRule, validate, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { firstHeaderValue } from "../lib/header-value.js";
import { asGraphQLError } from "../errors/graphql-errors.js";
import type { CheckedDocument, TrustedDocument, TrustedDocuments } from "../documents/trusted-document.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics, OperationSeries } from "../observability/metrics.js";
import { logUnexpectedErrors, maskUnexpectedErrors } from "../operation/error-masking.js";
import type { OperationAdmission } from "../operation/operation-admission.js";
import type { OperationObserver } from "../operation/operation-observer.js";
import type { AnswerTicket, KeptAnswers } from "../operation/kept-answers.js";
import {
  INLINE_TRACE_HEADER,
  answerHeaders,
  classifyExecutionError,
  contextFailure,
  formatErrors,
  type FormattedErrors,
  negotiatedMediaType,
  operationStatus,
  resultBody,
} from "../operation/apollo-http-behaviour.js";
import { executeOperation, type ExecutableOperation } from "./compiled-execution.js";
import { traceOperation } from "../observability/operation-span.js";

/**
 * What is known of a document from its text alone: worked out once, when the gateway starts (trusted documents) or
 * when a general document repeats (repeated-documents.ts).
 */
interface PreparedDocument {
  readonly trusted: CheckedDocument;
  /** The trusted document's id; null for a general document (no id in its log line or span, as on Apollo's path). */
  readonly documentId: string | null;
  readonly operation: ExecutableOperation;
  readonly compiled: CompiledQuery;
  readonly operationType: string;
  /** Bound once for a trusted document; a general one's name is labelled per request, as on Apollo's path. */
  readonly operationSeries: OperationSeries | undefined;
  /** Names the document among the answers kept whole (KeptAnswers.digestOf); "" when they are off. */
  readonly documentDigest: string;
}

/** How an operation on the fast path ended, before its answer is written. */
type Outcome =
  /** The admission refused it: nothing ran, no result (Apollo's didResolveOperation throwing). */
  | { kind: "refused"; error: GraphQLError }
  /** An answer kept whole serves it (admission's step 8): nothing runs. */
  | { kind: "kept"; body: Buffer }
  /** Execution threw instead of giving a result: no result either. */
  | { kind: "threw"; error: GraphQLError }
  /** Execution gave a result: data, errors, or both. */
  | { kind: "executed"; errors: readonly GraphQLError[] | undefined; data: unknown };

/**
 * Runs one trusted document for one request; false when the request is left to Apollo Server instead. The request
 * has met Apollo's request rules already (CSRF prevention, the body's shape, the operation name, queries only over
 * GET: src/documents/resolve-document-request.ts).
 */
export type RunTrusted = (
  trusted: CheckedDocument,
  variables: Record<string, unknown> | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  context: () => Promise<GatewayContext>,
) => Promise<boolean>;

/**
 * The trusted documents' fast path: a document registered ahead runs straight from the HTTP handler, beside Apollo
 * Server, with the same admission (src/operation/operation-admission.ts), the same compiled execution
 * (compiled-execution.ts's executeOperation), the same error formatting and masking, the same operation log line and
 * metrics (OperationObserver), and Apollo's negotiation, status codes, headers and body bytes
 * (src/operation/apollo-http-behaviour.ts). What it skips is what depends only on the document: parsing, validation, the
 * document's cache lookups, compiling, all done once at start. General documents that repeat take it too, from the
 * sighting graphql-jit would compile them on (repeated-documents.ts). What it would not answer exactly as Apollo does (an
 * Accept header that takes no JSON answer, inline traces for the router, introspection while it is off, a document
 * graphql-jit declines to compile) is left to Apollo Server.
 */
export class TrustedExecution {
  /**
   * Keyed by the document itself, weakly: documents published later are prepared before they are served
   * (prepare()), and a retired one's preparation goes with it, once no request holds it any more.
   */
  private readonly prepared = new WeakMap<CheckedDocument, PreparedDocument>();
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
    for (const trusted of documents) if (this.prepared.has(trusted) || this.prepareOne(trusted, trusted.id)) compiled++;
    return compiled;
  }

  /**
   * Prepares a general document that repeats (repeated-documents.ts): false when it is left to Apollo Server, as a
   * trusted document would be.
   */
  readonly prepareRepeated = (document: CheckedDocument): boolean => this.prepareOne(document, null);

  private prepareOne(trusted: CheckedDocument, documentId: string | null): boolean {
    const { schema, metrics } = this.deps;
    // Apollo refuses introspection at validation when it is off; a manifest must not be a way round that.
    if (!this.deps.introspection && validate(schema, trusted.document, [NoSchemaIntrospectionCustomRule]).length > 0) return false;
    const operationName = trusted.operationName ?? undefined;
    const compiled = compileQuery(schema, trusted.document, operationName);
    if (!isCompiledQuery(compiled)) return false;
    this.deps.admission.prepare(trusted.document, trusted.operation);
    this.prepared.set(trusted, {
      trusted,
      documentId,
      operation: { schema, document: trusted.document, operationName },
      compiled,
      operationType: trusted.operation.operation,
      // A trusted operation's label is given and bound now: its name is one the apps send, as the shipped ones'.
      operationSeries: documentId === null ? undefined : metrics.operationSeries(trusted.operationName),
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
    const description = { type: prepared.operationType, name: trusted.operationName, documentId: prepared.documentId };
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
    const outcome = await this.outcomeOf(prepared, variables, contextValue, ticket);
    if (outcome.kind === "kept") {
      this.observe(prepared, startedAt, 200, undefined, contextValue);
      this.send(response, 200, [], contentType, outcome.body);
      return true;
    }

    const executed = outcome.kind === "executed" ? outcome : null;
    const formatted = this.clientErrors(outcome.kind === "executed" ? outcome.errors : [outcome.error], requestId);
    const status = operationStatus(formatted?.status, {
      hasErrors: formatted !== null,
      hasResult: executed !== null,
      data: executed?.data,
    });
    const body = Buffer.from(resultBody(executed ? { errors: formatted?.errors, data: executed.data } : { errors: formatted?.errors }));
    await ticket?.settle(formatted === null && executed ? body : null);
    this.observe(prepared, startedAt, status, formatted?.errors, contextValue);
    this.send(response, status, formatted?.headers ?? [], contentType, body);
    return true;
  }

  /**
   * Errors as the client sees them, or null when there are none: unexpected ones logged, each formatted as Apollo
   * does, masked in production.
   */
  private clientErrors(errors: readonly GraphQLError[] | undefined, requestId: string | undefined): FormattedErrors | null {
    if (!errors || errors.length === 0) return null;
    logUnexpectedErrors(errors, requestId, this.deps.logger);
    const formatted = formatErrors(errors, this.deps.includeStacktrace);
    return this.deps.mask ? { ...formatted, errors: maskUnexpectedErrors(formatted.errors, requestId) } : formatted;
  }

  /** The admission, then an answer kept whole or the execution: how the operation ended, before its answer is written. */
  private async outcomeOf(
    prepared: PreparedDocument,
    variables: Record<string, unknown> | undefined,
    contextValue: GatewayContext,
    ticket: AnswerTicket | null | undefined,
  ): Promise<Outcome> {
    const { trusted } = prepared;
    try {
      await this.deps.admission.admit(trusted.document, trusted.operation, variables, contextValue.caller, ticket?.lookup);
    } catch (error) {
      return { kind: "refused", error: asGraphQLError(error) };
    }
    if (ticket?.hit) return { kind: "kept", body: ticket.hit };
    try {
      const result = await executeOperation(prepared.operation, prepared.compiled, contextValue, variables);
      return { kind: "executed", errors: result.errors?.map(classifyExecutionError), data: result.data };
    } catch (error) {
      return { kind: "threw", error: asGraphQLError(error) };
    }
  }

  private observe(
    prepared: PreparedDocument,
    startedAt: number,
    status: number,
    errors: readonly GraphQLFormattedError[] | undefined,
    context: GatewayContext,
  ): void {
    const { trusted } = prepared;
    this.deps.observer.observe({
      startedAt,
      operationName: trusted.operationName,
      operationSeries: prepared.operationSeries,
      operationType: prepared.operationType,
      documentId: prepared.documentId,
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
