import { isPrintedInstant } from "../lib/iso-instant.js";
import type { IsoDateTime } from "./domain.js";

/**
 * An upstream timestamp as the instant the GraphQL DateTimeISO scalar prints, or null when it is no date. Text
 * already in that form (Voucherify's, always) is kept as it is, checked without making a `Date`; anything else
 * `Date` can read (no milliseconds, an offset, more digits) is normalised once, here, to the same bytes the scalar
 * would print for it.
 */
export function toIsoDateTime(text: string): IsoDateTime | null {
  if (isPrintedInstant(text)) return text as IsoDateTime;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : (new Date(time).toISOString() as IsoDateTime);
}
