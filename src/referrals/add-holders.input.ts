import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, InputType } from "type-graphql";
import type { CustomerAddress, HolderCustomer } from "../voucherify/domain.js";
import { atMost, METADATA_BOUNDS } from "./input-limits.js";

// Every string field states its bound (src/referrals/input-limits.ts); control characters are refused in all of
// them, except tab and line breaks in `description`.
@InputType({ description: "A postal address stored on the customer. Single-line fields: no control characters, line breaks included." })
export class AddressInput implements CustomerAddress {
  @Field(() => String, { nullable: true, description: atMost("city") }) city?: string | null;
  @Field(() => String, { nullable: true, description: atMost("state") }) state?: string | null;
  @Field(() => String, { nullable: true, description: atMost("addressLine") }) line1?: string | null;
  @Field(() => String, { nullable: true, description: atMost("addressLine") }) line2?: string | null;
  @Field(() => String, { nullable: true, description: atMost("country") }) country?: string | null;
  @Field(() => String, { nullable: true, description: atMost("postalCode") }) postalCode?: string | null;
}

@InputType({
  description:
    "A referee to add. Needs `id` (an existing Voucherify customer) or `sourceId` (upserted: created, or updated with the given fields).",
})
export class HolderCustomerInput implements HolderCustomer {
  @Field(() => ID, { nullable: true, description: `An existing Voucherify customer id. ${atMost("id")}` }) id?: string | null;
  @Field(() => String, { nullable: true, description: `Your own id of the customer. ${atMost("id")}` }) sourceId?: string | null;
  @Field(() => String, { nullable: true, description: atMost("name") }) name?: string | null;
  @Field(() => String, { nullable: true, description: `An email address. ${atMost("email")}` }) email?: string | null;
  @Field(() => String, { nullable: true, description: atMost("phone") }) phone?: string | null;
  @Field(() => String, { nullable: true, description: `Free text; tab and line breaks allowed. ${atMost("description")}` })
  description?: string | null;
  @Field(() => String, { nullable: true, description: `Calendar date, YYYY-MM-DD. ${atMost("birthdate")}` }) birthdate?: string | null;
  @Field(() => AddressInput, { nullable: true, description: "The customer's postal address." }) address?: AddressInput | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: `Stored on the customer. ${METADATA_BOUNDS}` })
  metadata?: Record<string, unknown> | null;
}

@InputType({ description: "Input of addHolders: the referral code and the referees to add to it." })
export class AddHoldersInput {
  @Field(() => ID, { description: `Referral code or its voucher id. ${atMost("id")}` }) memberId!: string;
  @Field(() => ID, { nullable: true, description: `Campaign of the referral code; not empty when given. ${atMost("id")}` })
  campaignId?: string | null;
  @Field(() => [HolderCustomerInput], { description: "1 to 100 referees, added all or nothing." })
  holders!: HolderCustomerInput[];
  @Field(() => GraphQLJSONObject, { nullable: true, description: `Stored on each new holder assignment. ${METADATA_BOUNDS}` })
  metadata?: Record<string, unknown> | null;
}
