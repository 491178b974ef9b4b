import { Field, ID, ObjectType } from "type-graphql";
import { ReferralMember } from "./referral-member.type.js";

@ObjectType({ simpleResolvers: true })
export class RemoveHolderPayload {
  @Field(() => ID)
  removedHolderId!: string;

  @Field(() => ReferralMember, { description: "The member after the change; its holders are read afresh." })
  member!: ReferralMember;
}
