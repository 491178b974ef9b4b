import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import type { HolderRecord, IsoDateTime } from "../voucherify/domain.js";
import { DateTimeISO } from "./date-time-iso.scalar.js";
import { CampaignType, HolderRole, VoucherType } from "./enums.js";

@ObjectType({
  // Plain data fields: graphql-js's default resolver, not a per-field type-graphql wrapper (hot path).
  simpleResolvers: true,
  description: "One customer's assignment to a referral code (upstream: redeemable holder).",
})
export class ReferralHolder implements HolderRecord {
  @Field(() => ID, { description: "Holder id (rh_...)." })
  id!: string;

  @Field(() => DateTimeISO, { description: "When the customer was assigned to the code." })
  createdAt!: IsoDateTime;

  @Field(() => HolderRole, { description: "Whether the customer referred (REFERRER) or was referred (REFEREE)." })
  holderRole!: HolderRole;

  @Field(() => ID, { description: "The customer's Voucherify id (cust_...); `customer` reads the rest." })
  customerId!: string;

  @Field(() => ID, { description: "The voucher (referral code) id, v_..." })
  redeemableId!: string;

  @Field(() => String, { description: "The kind of redeemable, for example voucher." })
  redeemableObject!: string;

  @Field(() => ID, { nullable: true, description: "The referral program (camp_...) the code belongs to." })
  campaignId!: string | null;

  @Field(() => CampaignType, { nullable: true, description: "The kind of campaign the code belongs to." })
  campaignType!: CampaignType | null;

  @Field(() => VoucherType, { description: "The kind of voucher the code is." })
  voucherType!: VoucherType;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Metadata stored on the assignment (see addHolders)." })
  metadata!: Record<string, unknown> | null;
}
