import { isJsonObject, type JsonObject } from "../lib/json-object.js";
import { CampaignType, HolderRole, VoucherType, type CustomerRecord, type HolderPage, type HolderRecord } from "./domain.js";
import { toIsoDateTime } from "./iso-date-time.js";
import type { UpstreamCustomer, UpstreamHolder } from "./upstream-types.js";

/** Thrown when an upstream body does not have the shape we map; the client turns it into UPSTREAM_ERROR. */
export class UpstreamShapeError extends Error {}

function requiredString(raw: JsonObject, field: string): string {
  const value = raw[field];
  if (typeof value !== "string" || value.length === 0) throw new UpstreamShapeError(`${field} is not a string`);
  return value;
}

function optionalString(raw: JsonObject, field: string): string | null {
  const value = raw[field];
  return typeof value === "string" ? value : null;
}

function optionalObject(raw: JsonObject, field: string): Record<string, unknown> | null {
  const value = raw[field];
  return isJsonObject(value) ? value : null;
}

/** An enum's values, looked up in a set (not `value in Enum`: that also accepts inherited names such as "toString"). */
const valuesOf = <T extends string>(values: Record<string, T>): ReadonlySet<string> => new Set<string>(Object.values(values));
const HOLDER_ROLES = valuesOf(HolderRole);
const VOUCHER_TYPES = valuesOf(VoucherType);

function enumValue<T extends string>(values: ReadonlySet<string>, raw: JsonObject, field: string): T {
  const value = raw[field];
  if (typeof value === "string" && values.has(value)) return value as T;
  throw new UpstreamShapeError(`${field} has an unknown value`);
}

/**
 * The one place an upstream holder becomes a HolderRecord (served as the GraphQL ReferralHolder as it is). It checks
 * what it maps, because the upstream is remote: a body of the wrong shape must become UPSTREAM_ERROR, not a null in a
 * non-null field.
 * Tolerant where the upstream is known to be loose: `campaign_type: null` and `holder_role: OWNER` (spec example).
 */
export function toHolderRecord(value: unknown): HolderRecord {
  if (!isJsonObject(value)) throw new UpstreamShapeError("holder is not an object");
  const raw = value as JsonObject & Partial<UpstreamHolder>;
  const createdAt = toIsoDateTime(requiredString(raw, "created_at"));
  if (createdAt === null) throw new UpstreamShapeError("created_at is not a date");
  const campaignType = raw.campaign_type;
  return {
    id: requiredString(raw, "id"),
    createdAt,
    holderRole: enumValue<HolderRole>(HOLDER_ROLES, raw, "holder_role"),
    customerId: requiredString(raw, "customer_id"),
    redeemableId: requiredString(raw, "redeemable_id"),
    redeemableObject: requiredString(raw, "redeemable_object"),
    campaignId: optionalString(raw, "campaign_id"),
    campaignType: campaignType === CampaignType.REFERRAL_PROGRAM ? CampaignType.REFERRAL_PROGRAM : null,
    voucherType: enumValue<VoucherType>(VOUCHER_TYPES, raw, "voucher_type"),
    metadata: optionalObject(raw, "metadata"),
  };
}

export function toCustomerRecord(value: unknown): CustomerRecord {
  if (!isJsonObject(value)) throw new UpstreamShapeError("customer is not an object");
  const raw = value as JsonObject & Partial<UpstreamCustomer>;
  return {
    id: requiredString(raw, "id"),
    sourceId: optionalString(raw, "source_id"),
    name: optionalString(raw, "name"),
    email: optionalString(raw, "email"),
    phone: optionalString(raw, "phone"),
  };
}

export function toHolderPage(value: unknown): HolderPage {
  if (!isJsonObject(value) || !Array.isArray(value.data)) throw new UpstreamShapeError("list has no data array");
  const holders = value.data.map(toHolderRecord);
  const total = value.total;
  const hasMore = value.has_more;
  if (typeof total !== "number" || !Number.isInteger(total) || total < 0) throw new UpstreamShapeError("total is not a count");
  if (typeof hasMore !== "boolean") throw new UpstreamShapeError("has_more is not a boolean");
  const moreStartingAfter = optionalString(value, "more_starting_after");
  return { holders, total, hasMore, nextStartingAfter: moreStartingAfter ?? holders.at(-1)?.id ?? null };
}

export function toAddedHolders(value: unknown): HolderRecord[] {
  if (!isJsonObject(value) || !Array.isArray(value.holders)) throw new UpstreamShapeError("response has no holders array");
  return value.holders.map(toHolderRecord);
}
