import { Directive, Field, ID, ObjectType } from "type-graphql";
import { AUTHENTICATED } from "../auth/scopes.js";

@Directive('@key(fields: "id")')
@Directive(AUTHENTICATED)
@ObjectType({
  simpleResolvers: true,
  description:
    "A referral code (or its voucher id) as a member of a referral program. " +
    "Resolving it costs no upstream call; its holders are fetched when asked for.",
})
export class ReferralMember {
  @Field(() => ID, { description: "The memberId as given: the referral code or its voucher id (v_...)." })
  id!: string;

  @Field(() => ID, { nullable: true, description: "When set, holders are read through the campaign-scoped upstream path." })
  campaignId!: string | null;
}
