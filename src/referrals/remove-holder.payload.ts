import { Field, ID, ObjectType } from "type-graphql";
import { ReferralMember } from "./referral-member.type.js";

@ObjectType({ simpleResolvers: true, description: "The result of removeHolder." })
export class RemoveHolderPayload {
  @Field(() => ID, { description: "The holder assignment that was removed (rh_...)." })
  removedHolderId!: string;

  @Field(() => ReferralMember, { description: "The member after the change; its holders are read afresh." })
  member!: ReferralMember;
}
