import { Directive, Field, ObjectType } from "type-graphql";

// @shareable: every Relay-style subgraph defines PageInfo, and a supergraph must be allowed to merge them.
@Directive("@shareable")
@ObjectType({ simpleResolvers: true, description: "Relay page information." })
export class PageInfo {
  @Field(() => Boolean, { description: "More items follow endCursor (going forward)." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "More items come before startCursor (going backward)." })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first edge; null on an empty page." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge; null on an empty page." })
  endCursor!: string | null;
}
