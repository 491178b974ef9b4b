import { Field, Int, ObjectType, type ClassType } from "type-graphql";
import { EACH_FETCHED_ITEM, UpstreamCost } from "../limits/field-cost.js";
import { PageInfo } from "./page-info.type.js";

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

export interface Connection<TNode> {
  edges: Edge<TNode>[];
  nodes: TNode[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Builds the `<Name>Connection` and `<Name>Edge` types for a node type, as in the type-graphql examples:
 * one factory, so every connection in the schema has the same shape.
 */
export function ConnectionType<TNode extends object>(name: string, NodeType: ClassType<TNode>, descriptions: { totalCount: string }) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: `One ${name.toLowerCase()} in a page, with its cursor.` })
  class EdgeType implements Edge<TNode> {
    @Field(() => String, { description: "Opaque cursor; pass it as `after` or `before`." })
    cursor!: string;

    @Field(() => NodeType, { description: "The item itself." })
    node!: TNode;
  }

  @ObjectType(`${name}Connection`, {
    simpleResolvers: true,
    description: `A page of ${name.toLowerCase()}s, Relay-style (first/after forwards, last/before backwards).`,
  })
  class ConnectionTypeClass implements Connection<TNode> {
    @UpstreamCost(EACH_FETCHED_ITEM)
    @Field(() => [EdgeType], { description: "The page, in order, each item with its cursor." })
    edges!: EdgeType[];

    @UpstreamCost(EACH_FETCHED_ITEM)
    @Field(() => [NodeType], { description: "The nodes of `edges`, for clients that need no cursors." })
    nodes!: TNode[];

    @Field(() => PageInfo, { description: "Cursors of the page's ends, and whether more pages follow either way." })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: descriptions.totalCount })
    totalCount!: number;
  }

  return ConnectionTypeClass;
}
