import { context, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { activeTracer, sampledSpan } from "./tracing.js";
import { errorCodeOf } from "../errors/error-codes.js";

/** What is known of an operation: by the fast path before it runs, by Apollo's pipeline once it is parsed. */
export interface OperationDescription {
  /** `query`, `mutation`, `subscription`. */
  type?: string | null;
  name?: string | null;
  /** The trusted document's id, when the operation came by id (documentId / persisted query hash). */
  documentId?: string | null;
}

/** Spans started by traceOperation: describeOperation and friends only ever touch these, never a child's span. */
const operationSpans = new WeakSet<Span>();

function currentOperationSpan(): Span | undefined {
  const span = sampledSpan();
  return span && operationSpans.has(span) ? span : undefined;
}

/**
 * Runs one GraphQL operation inside its span: admission, cache lookups, upstream calls and log lines made while it
 * runs are its children. Any execution path calls this around the work of one operation (Apollo's: the GraphQL
 * handler, src/http/graphql-handler.ts; a fast path: around its own execution, with what it knows up front).
 * Variable values are never recorded, nor the document's text (literals in it may be personal data). Outside a
 * sampled request (tracing off, or not sampled) it runs `run` as it is.
 */
export function traceOperation<T>(run: () => Promise<T>, description?: OperationDescription): Promise<T> {
  const tracer = activeTracer();
  if (!tracer || !sampledSpan()) return run();
  const span = tracer.startSpan("GraphQL Operation");
  operationSpans.add(span);
  if (description) describe(span, description);
  return context.with(trace.setSpan(context.active(), span), async () => {
    try {
      return await run();
    } catch (error) {
      // A failure outside GraphQL's own error handling (a bug): its class only, the message may quote anything.
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute("error.type", error instanceof Error ? error.name : "unknown");
      throw error;
    } finally {
      span.end();
    }
  });
}

function describe(span: Span, { type, name, documentId }: OperationDescription): void {
  // The conventions' span name: "{type} {name}", or just the type for an anonymous operation.
  if (type) span.updateName(name ? `${type} ${name}` : type);
  if (type) span.setAttribute("graphql.operation.type", type);
  if (name) span.setAttribute("graphql.operation.name", name);
  if (documentId) span.setAttribute("graphql.document.id", documentId);
}

/** Names the running operation's span once its document is known (Apollo's pipeline: didResolveOperation). */
export function describeOperation(description: OperationDescription): void {
  const span = currentOperationSpan();
  if (span) describe(span, description);
}

/**
 * The operation's outcome: its errors' `extensions.code`s (never their messages, which may quote input), the HTTP
 * status, and how many upstream calls it made (compare with the admission's estimate). Status ERROR when any error.
 */
export function recordOperationOutcome(outcome: { errorCodes: readonly string[]; upstreamCalls?: number; httpStatus?: number }): void {
  const span = currentOperationSpan();
  if (!span) return;
  if (outcome.upstreamCalls !== undefined) span.setAttribute("referrals.upstream.calls", outcome.upstreamCalls);
  if (outcome.httpStatus !== undefined) span.setAttribute("http.response.status_code", outcome.httpStatus);
  if (outcome.errorCodes.length === 0) return;
  recordErrorCodes(span, outcome.errorCodes);
}

/** Status ERROR, `error.type` (the first code), `graphql.error.codes` (all), one `exception` event per code, no message. */
export function recordErrorCodes(span: Span, codes: readonly string[]): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: codes[0] });
  span.setAttribute("error.type", codes[0]);
  span.setAttribute("graphql.error.codes", [...new Set(codes)]);
  for (const code of codes) span.addEvent("exception", { "exception.type": code });
}

/** Records a refusal thrown before the operation ran (authentication, in the context factory) on its span. */
export function recordOperationRefusal(error: unknown): void {
  const span = currentOperationSpan();
  if (span) recordErrorCodes(span, [errorCodeOf(error)]);
}
