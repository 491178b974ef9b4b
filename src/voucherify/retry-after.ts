/**
 * Seconds to wait after a 429, from `Retry-After` (seconds or an HTTP date) or Voucherify's `X-Rate-Limit-Retry`
 * (Unix seconds). At least 1, so clients never get a zero that invites an immediate retry.
 */
export function retryAfterSeconds(headers: Record<string, string | string[] | undefined>, now = Date.now()): number {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = header("retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - now) / 1000));
  }
  const resetAt = Number(header("x-rate-limit-retry"));
  if (Number.isFinite(resetAt) && resetAt > 0) return Math.max(1, Math.ceil(resetAt - now / 1000));
  return 1;
}
