import { registerEnumType } from "type-graphql";

export enum HolderRole {
  OWNER = "OWNER",
  REFERRER = "REFERRER",
  REFEREE = "REFEREE",
}
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

export enum FilterJunction {
  AND = "AND",
  OR = "OR",
}
registerEnumType(FilterJunction, { name: "FilterJunction", description: "How the conditions of a HolderFilter combine." });

export enum CampaignType {
  REFERRAL_PROGRAM = "REFERRAL_PROGRAM",
}
registerEnumType(CampaignType, { name: "CampaignType", description: "Voucherify campaign types a referral code can belong to." });

export enum VoucherType {
  GIFT_VOUCHER = "GIFT_VOUCHER",
  DISCOUNT_VOUCHER = "DISCOUNT_VOUCHER",
  LOYALTY_CARD = "LOYALTY_CARD",
}
registerEnumType(VoucherType, { name: "VoucherType", description: "Voucherify voucher types: the kind of voucher a referral code is." });
