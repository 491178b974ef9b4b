import type { UpstreamCustomer, UpstreamHolder } from "../voucherify/upstream-types.js";
import type { CustomerRow, HolderRow, VoucherRow } from "./store.js";

type Metadata = NonNullable<UpstreamHolder["metadata"]>;

/** Row -> the spec's RedeemableHolder. `metadata` only appears when one was stored, as in Voucherify's examples. */
export function toUpstreamHolder(row: HolderRow, voucher: VoucherRow): UpstreamHolder {
  const holder: UpstreamHolder = {
    id: row.id,
    created_at: row.created_at,
    redeemable_id: voucher.id,
    redeemable_object: "voucher",
    customer_id: row.customer_id,
    holder_role: row.holder_role,
    campaign_id: voucher.campaign_id,
    campaign_type: "REFERRAL_PROGRAM",
    voucher_type: voucher.type as UpstreamHolder["voucher_type"],
    object: "redeemable_holder",
  };
  if (row.metadata !== null) holder.metadata = JSON.parse(row.metadata) as Metadata;
  return holder;
}

/** Row -> the customer object of `GET /v1/customers/{id}`; unset optional fields are left out rather than null. */
export function toUpstreamCustomer(row: CustomerRow): UpstreamCustomer {
  const c: UpstreamCustomer = { id: row.id, object: "customer", created_at: row.created_at };
  if (row.source_id !== null) c.source_id = row.source_id;
  if (row.name !== null) c.name = row.name;
  if (row.email !== null) c.email = row.email;
  if (row.phone !== null) c.phone = row.phone;
  if (row.description !== null) c.description = row.description;
  if (row.birthdate !== null) c.birthdate = row.birthdate;
  c.address = row.address === null ? null : JSON.parse(row.address);
  c.metadata = (row.metadata === null ? {} : JSON.parse(row.metadata)) as Metadata;
  return c;
}
