import { firstHeaderValue } from "../lib/header-value.js";

/** Longest wait the gateway takes from an upstream header: a misconfigured upstream must not block it for a day. */
export const MAX_RETRY_AFTER_SECONDS = 3600;
const SECONDS = /^\d+(\.\d+)?$/;
// An IMF-fixdate or the older RFC 850 / asctime forms always name a weekday; anything else is not a date here.
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * Seconds to wait after a 429, from `Retry-After` (seconds or an HTTP date) or Voucherify's `X-Rate-Limit-Retry`
 * (Unix seconds). At least 1, so clients never get a zero that invites an immediate retry; at most an hour.
 */
export function retryAfterSeconds(headers: Record<string, string | string[] | undefined>, now = Date.now()): number {
  const header = (name: string) => firstHeaderValue(headers[name])?.trim();
  const clamp = (seconds: number) => Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(seconds)));
  const retryAfter = header("retry-after");
  if (retryAfter && SECONDS.test(retryAfter)) return clamp(Number(retryAfter));
  if (retryAfter && HTTP_DATE.test(retryAfter)) {
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return clamp((date - now) / 1000);
  }
  const resetAt = header("x-rate-limit-retry");
  if (resetAt && SECONDS.test(resetAt)) return clamp(Number(resetAt) - now / 1000);
  return 1;
}
