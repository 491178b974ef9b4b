import { buildSchema, parse } from "graphql";
import { breaksOfPublishedDocuments, coordinatesUsed, formatDocumentBreak } from "../../src/tools/published-documents-impact.js";

// Which published documents a schema change breaks: a breaking change counts only where a document uses its
// coordinate, and a document that no longer validates counts whatever Inspector rates the change.

const BEFORE = `
type Query { member(id: ID!, campaign: ID): Member }
type Member { id: ID! holders(filter: Filter, order: Order): [Holder!]! note: String }
type Holder { id: ID! role: Role! email: String phone: String }
enum Role { OWNER REFEREE }
enum Order { ASC DESC }
input Filter { roles: [Role!] ids: [ID!] }
`;
const READ = 'query Read($filter: Filter) { member(id: "m") { holders(filter: $filter) { id role email } } }';
const deployments = [{ name: "web", version: "2", documents: [{ id: "read", body: READ }] }];

async function breaksAfter(after: string): Promise<string[]> {
  return (await breaksOfPublishedDocuments(buildSchema(BEFORE), buildSchema(after), deployments)).map(formatDocumentBreak);
}

describe("published documents a schema change breaks", () => {
  test("the coordinates a document uses: types, fields, arguments, and every field and value of its input types and enums", () => {
    const used = coordinatesUsed(buildSchema(BEFORE), parse(READ));
    for (const coordinate of [
      "Query.member",
      "Query.member.id",
      "Member.holders",
      "Member.holders.filter",
      "Holder.email",
      "Filter.ids",
      "Role.OWNER",
    ]) {
      expect(used).toContain(coordinate);
    }
    for (const coordinate of ["Holder.phone", "Member.note", "Query.member.campaign", "Order", "Member.holders.order"]) {
      expect(used).not.toContain(coordinate);
    }
  });

  test("a removed field the document selects breaks it, named with the deployment, operation and field", async () => {
    expect(await breaksAfter(BEFORE.replace(" email: String", ""))).toEqual([
      "app deployment web 2: operation Read (document read): Holder.email: Field 'email' was removed from object type 'Holder'",
    ]);
  });

  test("breaking changes at coordinates it does not use break nothing", async () => {
    const after = BEFORE.replace(" phone: String", "")
      .replace(" note: String", "")
      .replace("enum Order { ASC DESC }", "enum Order { ASC }");
    expect(await breaksAfter(after)).toEqual([]);
  });

  test("through its input types and enums: a removed input field or value, a required input field or argument added", async () => {
    expect(await breaksAfter(BEFORE.replace("ids: [ID!] }", "}"))).toEqual([expect.stringContaining("Filter.ids:")]);
    expect(await breaksAfter(BEFORE.replace("enum Role { OWNER REFEREE }", "enum Role { OWNER }"))).toEqual([
      expect.stringContaining("Role.REFEREE:"),
    ]);
    expect(await breaksAfter(BEFORE.replace("ids: [ID!] }", "ids: [ID!] since: String! }"))).toEqual([
      expect.stringContaining("Filter.since:"),
    ]);
    expect(await breaksAfter(BEFORE.replace("order: Order)", "order: Order, first: Int!)"))).toEqual([
      expect.stringContaining("Member.holders.first:"),
    ]);
  });
});
