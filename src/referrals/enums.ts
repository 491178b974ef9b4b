import { registerEnumType } from "type-graphql";
import { CampaignType, FilterJunction, HolderRole, VoucherType } from "../voucherify/domain.js";

// The data source's enums, served under the same names and values: its records reach clients without a copy.
export { CampaignType, FilterJunction, HolderRole, VoucherType };

registerEnumType(HolderRole, { name: "HolderRole", description: "The part a customer plays for a referral code." });

/** Upstream `order=id` / `order=-id`: holder ids sort in creation order. */
export enum HolderOrder {
  ID_ASC = "ID_ASC",
  ID_DESC = "ID_DESC",
}
registerEnumType(HolderOrder, {
  name: "HolderOrder",
  description: "Holder ids sort in the order holders were added, so ID_ASC is oldest first.",
});

registerEnumType(FilterJunction, { name: "FilterJunction", description: "How the conditions of a HolderFilter combine." });

registerEnumType(CampaignType, { name: "CampaignType", description: "Voucherify campaign types a referral code can belong to." });

registerEnumType(VoucherType, { name: "VoucherType", description: "Voucherify voucher types: the kind of voucher a referral code is." });
