import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, InputType } from "type-graphql";

@InputType({ description: "A postal address stored on the customer." })
export class AddressInput {
  @Field(() => String, { nullable: true }) city?: string | null;
  @Field(() => String, { nullable: true }) state?: string | null;
  @Field(() => String, { nullable: true }) line1?: string | null;
  @Field(() => String, { nullable: true }) line2?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => String, { nullable: true }) postalCode?: string | null;
}

@InputType({
  description:
    "A referee to add. Needs `id` (an existing Voucherify customer) or `sourceId` (upserted: created, or updated with the given fields).",
})
export class HolderCustomerInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) sourceId?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true, description: "Calendar date, YYYY-MM-DD." }) birthdate?: string | null;
  @Field(() => AddressInput, { nullable: true }) address?: AddressInput | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) metadata?: Record<string, unknown> | null;
}

@InputType({ description: "Input of addHolders: the referral code and the referees to add to it." })
export class AddHoldersInput {
  @Field(() => ID, { description: "Referral code or its voucher id." }) memberId!: string;
  @Field(() => ID, { nullable: true }) campaignId?: string | null;
  @Field(() => [HolderCustomerInput], { description: "1 to 100 referees, added all or nothing." })
  holders!: HolderCustomerInput[];
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Stored on each new holder assignment." })
  metadata?: Record<string, unknown> | null;
}
