import { Field, ID, InputType } from "type-graphql";
import { DateTimeISO } from "./date-time-iso.scalar.js";
import type { HolderCriteria } from "../voucherify/domain.js";
import { FilterJunction, HolderRole } from "./enums.js";
import { atMost } from "./input-limits.js";

@InputType({ description: "Narrows a holders connection; sent upstream as Voucherify `filters[...]` conditions." })
export class HolderFilter implements HolderCriteria {
  @Field(() => [HolderRole], { nullable: true, description: "Holders with one of these roles." })
  roles?: HolderRole[] | null;

  @Field(() => [ID], { nullable: true, description: `1 to 100 customer ids, each not empty. ${atMost("id")}` })
  customerIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: `1 to 100 holder ids, each not empty. ${atMost("id")}` })
  holderIds?: string[] | null;

  @Field(() => DateTimeISO, { nullable: true, description: "Holders assigned after this instant." })
  createdAfter?: Date | null;

  @Field(() => DateTimeISO, { nullable: true, description: "Holders assigned before this instant." })
  createdBefore?: Date | null;

  @Field(() => FilterJunction, { nullable: true, description: "AND (default): every condition; OR: any of them." })
  junction?: FilterJunction | null;
}
