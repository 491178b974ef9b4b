import { Field, ID, InputType } from "type-graphql";

@InputType({ description: "Input of removeHolder: the referral code and the holder assignment to remove." })
export class RemoveHolderInput {
  @Field(() => ID, { description: "Referral code or its voucher id." }) memberId!: string;
  @Field(() => ID, { nullable: true }) campaignId?: string | null;
  @Field(() => ID, { description: "The holder assignment to remove (rh_...). The referrer cannot be removed." })
  holderId!: string;
}
