import { Directive, Field, ObjectType } from "type-graphql";

// @shareable: every Relay-style subgraph defines PageInfo, and a supergraph must be allowed to merge them.
@Directive("@shareable")
@ObjectType({ simpleResolvers: true, description: "Relay page information." })
export class PageInfo {
  @Field(() => Boolean, {
    description: "Forward (first/after): more items follow the page. Backward (last/before): true when `before` was given.",
  })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: "Backward (last/before): more items precede the page. Forward (first/after): true when `after` was given.",
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first edge; null on an empty page." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge; null on an empty page." })
  endCursor!: string | null;
}
