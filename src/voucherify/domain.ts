// What the data source hands up: plain records in the gateway's own (camelCase) terms, checked on the way in.
// The GraphQL layer's classes implement these interfaces and register these enums, so a record is served as it
// is: no copy between the layers, and nothing here knows GraphQL.

/**
 * Voucherify's cap on holders in one add-holders call (its API reference). Written once: the emulator enforces it as
 * the upstream does, and the gateway's limit (src/limits/operation-limits.ts) is this number, checked first.
 */
export const UPSTREAM_MAX_HOLDERS_PER_CALL = 100;

export enum HolderRole {
  OWNER = "OWNER",
  REFERRER = "REFERRER",
  REFEREE = "REFEREE",
}

export enum FilterJunction {
  AND = "AND",
  OR = "OR",
}

export enum CampaignType {
  REFERRAL_PROGRAM = "REFERRAL_PROGRAM",
}

export enum VoucherType {
  GIFT_VOUCHER = "GIFT_VOUCHER",
  DISCOUNT_VOUCHER = "DISCOUNT_VOUCHER",
  LOYALTY_CARD = "LOYALTY_CARD",
}

/**
 * An instant as `Date.prototype.toISOString` prints it (`2024-03-15T09:08:50.529Z`): what the GraphQL DateTimeISO
 * scalar serves. Made only at the boundary (from-upstream.ts), so records carry the upstream's own string, checked
 * once, and are served, cached and compared without a `Date` made and printed again for every answer.
 */
export type IsoDateTime = string & { readonly __isoDateTime: true };

/** One customer's assignment to a referral code (upstream: redeemable holder). */
export interface HolderRecord {
  id: string;
  createdAt: IsoDateTime;
  holderRole: HolderRole;
  customerId: string;
  redeemableId: string;
  redeemableObject: string;
  campaignId: string | null;
  campaignType: CampaignType | null;
  voucherType: VoucherType;
  metadata: Record<string, unknown> | null;
}

export interface CustomerRecord {
  id: string;
  sourceId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** One upstream page of a member's holders. */
export interface HolderPage {
  holders: HolderRecord[];
  total: number;
  hasMore: boolean;
  /** Where the next upstream page starts; Voucherify sends it only with has_more, so fall back to the last id. */
  nextStartingAfter: string | null;
}

/** Conditions on a member's holders (upstream `filters[...]`). */
export interface HolderCriteria {
  roles?: readonly HolderRole[] | null;
  customerIds?: readonly string[] | null;
  holderIds?: readonly string[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  junction?: FilterJunction | null;
}

export interface CustomerAddress {
  city?: string | null;
  state?: string | null;
  line1?: string | null;
  line2?: string | null;
  country?: string | null;
  postalCode?: string | null;
}

/** A customer to add as a holder: an existing one by `id`, or upserted by `sourceId` with the given fields. */
export interface HolderCustomer {
  id?: string | null;
  sourceId?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  description?: string | null;
  birthdate?: string | null;
  address?: CustomerAddress | null;
  metadata?: Record<string, unknown> | null;
}
