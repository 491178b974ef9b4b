import { Field, ObjectType } from "type-graphql";
import { EACH_FETCHED_ITEM, UpstreamCost } from "../limits/field-cost.js";
import { ReferralHolder } from "./referral-holder.type.js";
import { ReferralMember } from "./referral-member.type.js";

@ObjectType({ simpleResolvers: true, description: "The result of addHolders." })
export class AddHoldersPayload {
  @UpstreamCost(EACH_FETCHED_ITEM)
  @Field(() => [ReferralHolder], { description: "The new holder assignments, in the order given." })
  holders!: ReferralHolder[];

  @Field(() => ReferralMember, { description: "The member after the change; its holders are read afresh." })
  member!: ReferralMember;
}
