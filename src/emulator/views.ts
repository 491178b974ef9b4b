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
    voucher_type: voucher.type,
    object: "redeemable_holder",
  };
  if (row.metadata !== null) holder.metadata = JSON.parse(row.metadata) as Metadata;
  return holder;
}

/** Row -> the customer object of `GET /v1/customers/{id}`; unset optional fields are left out rather than null. */
export function toUpstreamCustomer(row: CustomerRow): UpstreamCustomer {
  const customer: UpstreamCustomer = { id: row.id, object: "customer", created_at: row.created_at };
  if (row.source_id !== null) customer.source_id = row.source_id;
  if (row.name !== null) customer.name = row.name;
  if (row.email !== null) customer.email = row.email;
  if (row.phone !== null) customer.phone = row.phone;
  if (row.description !== null) customer.description = row.description;
  if (row.birthdate !== null) customer.birthdate = row.birthdate;
  customer.address = row.address === null ? null : (JSON.parse(row.address) as UpstreamCustomer["address"]);
  customer.metadata = (row.metadata === null ? {} : JSON.parse(row.metadata)) as Metadata;
  return customer;
}
