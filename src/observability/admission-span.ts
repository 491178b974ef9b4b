import { context, trace, type Span } from "@opentelemetry/api";
import { recordErrorCodes } from "./operation-span.js";
import { errorCodeOf } from "../errors/error-codes.js";
import { activeTracer, sampledSpan } from "./tracing.js";

/** Spans started by traceAdmission: the record* helpers only ever touch these. */
const admissionSpans = new WeakSet<Span>();

function currentAdmissionSpan(): Span | undefined {
  const span = sampledSpan();
  return span && admissionSpans.has(span) ? span : undefined;
}

/**
 * The admission decision of one operation as a span: who is calling (authenticated or not, the router or not), the
 * estimated cost, the budget left, and for a refusal its `extensions.code` (FORBIDDEN, BAD_USER_INPUT,
 * RATE_LIMITED, ...). Never the caller's identity: the budget key is a token subject or a client address.
 * Any execution path wraps its admission step in it; `admit` calls the record* helpers as it learns things.
 */
export async function traceAdmission<T>(caller: { authenticated: boolean; router: boolean }, admit: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (!tracer || !sampledSpan()) return admit();
  const span = tracer.startSpan("admission");
  admissionSpans.add(span);
  span.setAttributes({ "referrals.caller.authenticated": caller.authenticated, "referrals.caller.router": caller.router });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), admit);
    span.setAttribute("referrals.admission.outcome", "admitted");
    return result;
  } catch (error) {
    span.setAttribute("referrals.admission.outcome", "refused");
    recordErrorCodes(span, [errorCodeOf(error)]);
    throw error;
  } finally {
    span.end();
  }
}

/** The operation's estimated upstream calls (what the caller's budget is charged). */
export function recordAdmissionCost(estimate: number): void {
  currentAdmissionSpan()?.setAttribute("referrals.admission.cost_estimate", estimate);
}

/** What is left of the caller's budget this minute after the charge. */
export function recordBudgetLeft(remaining: number): void {
  currentAdmissionSpan()?.setAttribute("referrals.admission.budget_remaining", remaining);
}
