import { GraphQLJSONObject } from "graphql-scalars";
import { Field, GraphQLISODateTime, ID, ObjectType } from "type-graphql";
import { CampaignType, HolderRole, VoucherType } from "./enums.js";

@ObjectType({
  // Plain data fields: graphql-js's default resolver, not a per-field type-graphql wrapper (hot path).
  simpleResolvers: true,
  description: "One customer's assignment to a referral code (upstream: redeemable holder).",
})
export class ReferralHolder {
  @Field(() => ID, { description: "Holder id (rh_...)." })
  id!: string;

  @Field(() => GraphQLISODateTime, { description: "When the customer was assigned to the code." })
  createdAt!: Date;

  @Field(() => HolderRole)
  holderRole!: HolderRole;

  @Field(() => ID)
  customerId!: string;

  @Field(() => ID, { description: "The voucher (referral code) id, v_..." })
  redeemableId!: string;

  @Field(() => String, { description: "The kind of redeemable, for example voucher." })
  redeemableObject!: string;

  @Field(() => ID, { nullable: true })
  campaignId!: string | null;

  @Field(() => CampaignType, { nullable: true })
  campaignType!: CampaignType | null;

  @Field(() => VoucherType)
  voucherType!: VoucherType;

  @Field(() => GraphQLJSONObject, { nullable: true })
  metadata!: Record<string, unknown> | null;
}
