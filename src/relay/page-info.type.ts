import { Directive, Field, ObjectType } from "type-graphql";

// @shareable: every Relay-style subgraph defines PageInfo, and a supergraph must be allowed to merge them.
@Directive("@shareable")
@ObjectType({ simpleResolvers: true, description: "Relay page information." })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
