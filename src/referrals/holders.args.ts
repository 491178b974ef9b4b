import { ArgsType, Field, Int } from "type-graphql";
import { HolderOrder } from "./enums.js";
import { HolderFilter } from "./holder-filter.input.js";
import { atMost } from "./input-limits.js";

// No GraphQL default values here: type-graphql would emit `first: Int! = 10`, which forbids an explicit null.
@ArgsType()
export class HoldersArgs {
  @Field(() => Int, { nullable: true, description: "Page size going forward, 0 to 500 (default 10 when neither first nor last is given)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: `Cursor of the edge the page starts after. ${atMost("cursor")}` })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "Page size going backward, 0 to 500." })
  last?: number | null;

  @Field(() => String, { nullable: true, description: `Cursor of the edge the page ends before. ${atMost("cursor")}` })
  before?: string | null;

  @Field(() => HolderOrder, { nullable: true, description: "Default ID_ASC: oldest assignment first." })
  order?: HolderOrder | null;

  @Field(() => HolderFilter, { nullable: true, description: "Only holders matching these conditions; all holders when left out." })
  filter?: HolderFilter | null;
}
