/**
 * The bounds on every string input of the schema, in one table: check-input.ts enforces them and the GraphQL
 * descriptions are written from them (`atMost`), so the schema cannot promise one length and enforce another.
 * Lengths count Unicode code points. Every value is checked before any upstream call.
 */
import { formatBytes } from "../lib/byte-size.js";

export const MAX_LENGTH = {
  /** memberId, campaignId, holderId, customer id, sourceId, filter ids: they end up in upstream URLs. */
  id: 200,
  /**
   * A cursor is base64url("h1:<holderId>:<memberId>"): with a 200-character member id of 3-byte UTF-8 characters
   * that is about 1,070 characters, so the gateway never refuses a cursor it issued.
   */
  cursor: 1200,
  name: 200,
  /** RFC 5321's limit on an address in a mail path. */
  email: 254,
  phone: 50,
  description: 1000,
  /** YYYY-MM-DD; the format is checked too. */
  birthdate: 10,
  addressLine: 500,
  city: 200,
  state: 200,
  country: 100,
  postalCode: 32,
  /** A key of a metadata object, at any depth. */
  metadataKey: 100,
} as const;

export type LengthLimit = keyof typeof MAX_LENGTH;

/** `metadata` (JSONObject): its JSON serialisation in UTF-8 bytes, and its nesting (the object itself is level 1). */
export const MAX_METADATA_BYTES = 16 * 1024;
export const MAX_METADATA_DEPTH = 8;

/** The sentence every bounded field's description ends with. */
export function atMost(limit: LengthLimit): string {
  return `At most ${MAX_LENGTH[limit].toLocaleString("en-US")} characters.`;
}

/** For descriptions: the metadata bounds in words. */
export const METADATA_BOUNDS =
  `At most ${formatBytes(MAX_METADATA_BYTES)} as JSON and ${MAX_METADATA_DEPTH} levels deep; ` +
  `keys of 1 to ${MAX_LENGTH.metadataKey} characters without control characters.`;
