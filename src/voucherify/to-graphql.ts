import type { Customer } from "../referrals/customer.type.js";
import { CampaignType, HolderRole, VoucherType } from "../referrals/enums.js";
import type { ReferralHolder } from "../referrals/referral-holder.type.js";
import type { UpstreamCustomer, UpstreamHolder } from "./upstream-types.js";

/** Thrown when an upstream body does not have the shape we map; the client turns it into UPSTREAM_ERROR. */
export class UpstreamShapeError extends Error {}

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function requiredString(raw: Raw, field: string): string {
  const value = raw[field];
  if (typeof value !== "string" || value.length === 0) throw new UpstreamShapeError(`${field} is not a string`);
  return value;
}

function optionalString(raw: Raw, field: string): string | null {
  const value = raw[field];
  return typeof value === "string" ? value : null;
}

function optionalObject(raw: Raw, field: string): Record<string, unknown> | null {
  const value = raw[field];
  return isObject(value) ? value : null;
}

function enumValue<T extends string>(values: Record<string, T>, raw: Raw, field: string): T {
  const value = raw[field];
  // Not `value in values`: that also accepts inherited names such as "toString" or "constructor".
  if (typeof value === "string" && (Object.values(values) as string[]).includes(value)) return value as T;
  throw new UpstreamShapeError(`${field} has an unknown value`);
}

/**
 * The one place an upstream holder becomes a GraphQL ReferralHolder. It checks what it maps, because the
 * upstream is remote: a body of the wrong shape must become UPSTREAM_ERROR, not a null in a non-null field.
 * Tolerant where the upstream is known to be loose: `campaign_type: null` and `holder_role: OWNER` (spec example).
 */
export function toReferralHolder(value: unknown): ReferralHolder {
  if (!isObject(value)) throw new UpstreamShapeError("holder is not an object");
  const raw = value as Raw & Partial<UpstreamHolder>;
  const createdAt = new Date(requiredString(raw, "created_at"));
  if (Number.isNaN(createdAt.getTime())) throw new UpstreamShapeError("created_at is not a date");
  const campaignType = raw.campaign_type;
  return {
    id: requiredString(raw, "id"),
    createdAt,
    holderRole: enumValue(HolderRole, raw, "holder_role"),
    customerId: requiredString(raw, "customer_id"),
    redeemableId: requiredString(raw, "redeemable_id"),
    redeemableObject: requiredString(raw, "redeemable_object"),
    campaignId: optionalString(raw, "campaign_id"),
    campaignType: campaignType === CampaignType.REFERRAL_PROGRAM ? CampaignType.REFERRAL_PROGRAM : null,
    voucherType: enumValue(VoucherType, raw, "voucher_type"),
    metadata: optionalObject(raw, "metadata"),
  };
}

export function toCustomer(value: unknown): Customer {
  if (!isObject(value)) throw new UpstreamShapeError("customer is not an object");
  const raw = value as Raw & Partial<UpstreamCustomer>;
  return {
    id: requiredString(raw, "id"),
    sourceId: optionalString(raw, "source_id"),
    name: optionalString(raw, "name"),
    email: optionalString(raw, "email"),
    phone: optionalString(raw, "phone"),
  };
}

export interface HolderPage {
  holders: ReferralHolder[];
  total: number;
  hasMore: boolean;
  /** Where the next upstream page starts; Voucherify sends it only with has_more, so fall back to the last id. */
  nextStartingAfter: string | null;
}

export function toHolderPage(value: unknown): HolderPage {
  if (!isObject(value) || !Array.isArray(value.data)) throw new UpstreamShapeError("list has no data array");
  const holders = value.data.map(toReferralHolder);
  const total = value.total;
  const hasMore = value.has_more;
  if (typeof total !== "number" || !Number.isInteger(total) || total < 0) throw new UpstreamShapeError("total is not a count");
  if (typeof hasMore !== "boolean") throw new UpstreamShapeError("has_more is not a boolean");
  const moreStartingAfter = optionalString(value, "more_starting_after");
  return { holders, total, hasMore, nextStartingAfter: moreStartingAfter ?? holders.at(-1)?.id ?? null };
}

export function toAddedHolders(value: unknown): ReferralHolder[] {
  if (!isObject(value) || !Array.isArray(value.holders)) throw new UpstreamShapeError("response has no holders array");
  return value.holders.map(toReferralHolder);
}
