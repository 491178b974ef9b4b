import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { UnsampledTrace } from "./request-trace.js";
import { activeTracer, sampledSpan } from "./tracing.js";

/** The upstream's address, fixed per transport: `server.*` and `url.scheme` of every client span. */
export interface UpstreamServer {
  address: string;
  port: number;
  scheme: string;
}

/** Path segments that are followed by an identifier, and the template name of that identifier. */
const ID_AFTER: Record<string, string> = { members: "{memberId}", holders: "{holderId}", customers: "{customerId}" };

/**
 * The route template of an upstream path (`v1/referrals/camp_1/members/CODE/holders?limit=10` ->
 * `/v1/referrals/{campaignId}/members/{memberId}/holders`): span names and attributes carry no ids and no query
 * (filters name customer ids). Ids are business identifiers, not personal data, but they are unbounded: they stay
 * out of names so a backend can group spans by route.
 */
export function upstreamUrlTemplate(path: string): string {
  const end = path.indexOf("?");
  const segments = (end === -1 ? path : path.slice(0, end)).split("/").filter(Boolean);
  const template: string[] = [];
  for (const segment of segments) {
    // Decided on what is already templated: an id that happens to read "holders" is not taken for the literal.
    const previous = template.at(-1);
    if (previous === "referrals" && segment !== "members") template.push("{campaignId}");
    else if (previous !== undefined && ID_AFTER[previous]) template.push(ID_AFTER[previous]);
    else template.push(segment);
  }
  return `/${template.join("/")}`;
}

const HOLDERS = "/v1/referrals/members/{memberId}/holders";
const CAMPAIGN_HOLDERS = "/v1/referrals/{campaignId}/members/{memberId}/holders";
/**
 * The data source's endpoints and their paths by segment count: decided without reading a single id, so no id can
 * end up in a template whatever it spells ("members", "holders"). Ids are one encoded segment each (no "/").
 */
const TEMPLATES: Record<string, Record<number, string>> = {
  listHolders: { 5: HOLDERS, 6: CAMPAIGN_HOLDERS },
  addHolders: { 5: HOLDERS, 6: CAMPAIGN_HOLDERS },
  removeHolder: { 6: `${HOLDERS}/{holderId}`, 7: `${CAMPAIGN_HOLDERS}/{holderId}` },
  getCustomer: { 3: "/v1/customers/{customerId}" },
};

function segmentCount(path: string): number {
  let count = 1;
  for (let i = 0; i < path.length && path[i] !== "?"; i++) if (path[i] === "/") count++;
  return count;
}

export function upstreamCallTemplate(endpoint: string, path: string): string {
  return TEMPLATES[endpoint]?.[segmentCount(path)] ?? upstreamUrlTemplate(path);
}

/** One upstream call's CLIENT span, as the transport sees it: attempts, 429s, the answer. */
export class UpstreamSpan {
  constructor(private readonly span: Span) {}

  /** The call's `traceparent` (and `tracestate`), added to its request headers: every attempt carries it. */
  inject(headers: Record<string, string>): void {
    propagation.inject(trace.setSpan(context.active(), this.span), headers);
  }

  /** Another attempt is about to be made, after `reason` (a status such as 503, or a network failure class). */
  retry(attempt: number, reason: string): void {
    this.span.addEvent("retry", { "http.request.resend_count": attempt - 1, "referrals.retry.reason": reason });
  }

  /** The upstream answered 429: every replica now waits `retryAfterSeconds` (src/shared-state). */
  rateLimited(retryAfterSeconds: number | undefined): void {
    this.span.addEvent("rate_limited", retryAfterSeconds === undefined ? {} : { "referrals.retry_after_seconds": retryAfterSeconds });
  }

  end(result: { status: number | null; attempts: number; bodyBytes?: number; errorCode?: string; sent: boolean }): void {
    const span = this.span;
    if (span.isRecording()) {
      if (result.status !== null) span.setAttribute("http.response.status_code", result.status);
      if (result.bodyBytes !== undefined) span.setAttribute("http.response.body.size", result.bodyBytes);
      if (result.attempts > 1) span.setAttribute("http.request.resend_count", result.attempts - 1);
      if (!result.sent) span.setAttribute("referrals.upstream.sent", false);
      if (result.errorCode) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorCode });
        span.setAttribute("error.type", result.errorCode);
      }
    }
    span.end();
  }
}

/**
 * Starts the span of one upstream call (null outside a sampled request: tracing off, or not sampled):
 * `{method} {url.template}`, kind CLIENT, child of the active span (the operation's). `endpoint` is the data source's
 * name for the call (`listHolders`). An unsampled request's calls send its traceparent (request-trace.ts) instead.
 */
export function startUpstreamSpan(method: string, path: string, endpoint: string, server: UpstreamServer): UpstreamSpan | null {
  const tracer = activeTracer();
  if (!tracer || !sampledSpan()) return null;
  const template = upstreamCallTemplate(endpoint, path);
  const span = tracer.startSpan(`${method} ${template}`, { kind: SpanKind.CLIENT });
  span.setAttributes({
    "http.request.method": method,
    "url.template": template,
    "url.scheme": server.scheme,
    "server.address": server.address,
    "server.port": server.port,
    "referrals.upstream.endpoint": endpoint,
  });
  return new UpstreamSpan(span);
}

/**
 * The trace headers of one upstream call: its own span's (a sampled request), or the unsampled request's
 * `traceparent` (formatted once per request); none while tracing is off.
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  span: UpstreamSpan | null,
  unsampled: UnsampledTrace | undefined,
): void {
  if (span) span.inject(headers);
  else if (unsampled) Object.assign(headers, unsampled.headers);
}
