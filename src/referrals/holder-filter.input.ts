import { Field, GraphQLISODateTime, ID, InputType } from "type-graphql";
import { FilterJunction, HolderRole } from "./enums.js";

@InputType({ description: "Narrows a holders connection; sent upstream as Voucherify `filters[...]` conditions." })
export class HolderFilter {
  @Field(() => [HolderRole], { nullable: true })
  roles?: HolderRole[] | null;

  @Field(() => [ID], { nullable: true })
  customerIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  holderIds?: string[] | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: "Holders assigned after this instant." })
  createdAfter?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: "Holders assigned before this instant." })
  createdBefore?: Date | null;

  @Field(() => FilterJunction, { nullable: true, description: "AND (default): every condition; OR: any of them." })
  junction?: FilterJunction | null;
}
