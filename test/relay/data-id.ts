/**
 * Relay's record identity for this schema (pass as `getDataID` to `new Environment`). Relay keys every record by its
 * `id` field; `ReferralMember.id` is the member id as given, so its key adds `campaignId` (select it next to `id`),
 * as the Apollo Client type policy does. Holder (rh_...) and customer (cust_...) ids are unique on their own.
 */
export function getDataID(fieldValue: { [key: string]: unknown }, typeName: string): unknown {
  if (typeName === "ReferralMember")
    return `ReferralMember:${String(fieldValue.id)}:${typeof fieldValue.campaignId === "string" ? fieldValue.campaignId : ""}`;
  return fieldValue.id;
}
