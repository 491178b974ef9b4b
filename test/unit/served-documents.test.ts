import { DeploymentDocuments } from "../../src/app-deployments/served-documents.js";
import { loadTrustedDocuments, sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { buildGatewaySchema } from "../../src/graphql/schema.js";

// What a gateway serves for a published set: every document checked by this gateway with the start's checks, the
// ones it cannot serve left out with their reason (the others served), and a document kept as the same object while
// it stays published, so the fast path's preparation of it is kept.

const TOTAL = "query Total($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 1) { totalCount } } }";
const NAME = "query Name($memberId: ID!) { referralMember(memberId: $memberId) { id } }";
const COSTLY = 'query Costly { referralMember(memberId: "x") { holders(first: 500) { nodes { customer { name } } } } }';
const SHIPPED = SHIPPED_DOCUMENTS[0];

describe("the documents a gateway serves for the published deployments", () => {
  let documents: DeploymentDocuments;
  let baseSize: number;

  beforeAll(async () => {
    const schema = await buildGatewaySchema();
    const base = loadTrustedDocuments({ schema, manifests: [], maxCost: 110 }).documents;
    baseSize = base.size;
    documents = new DeploymentDocuments({ schema, maxCost: 110, base });
  });

  test("served beside the shipped ones; a document this gateway refuses is left out with its reason, the rest served", () => {
    const served = documents.serve([
      {
        name: "web",
        version: "1",
        documents: [
          { id: sha256Hex(TOTAL), body: TOTAL },
          { id: "costly", body: COSTLY },
          { id: "typo", body: "query Typo { referralMembr }" },
          { id: "0".repeat(64), body: NAME },
          // The same id and body as a shipped operation: served by it.
          { id: sha256Hex(SHIPPED.body), body: SHIPPED.body },
          // A shipped operation's id with another body: refused (the command refuses it; TRUSTED_DOCUMENTS may differ).
          { id: `sha256:${sha256Hex(SHIPPED_DOCUMENTS[1].body)}`, body: NAME },
        ],
      },
    ]);
    expect(served.documents.size).toBe(baseSize + 1);
    expect(served.documents.byId(sha256Hex(TOTAL))?.source).toBe("app deployment web 1");
    expect(served.refused.map(({ id, reason }) => [id, reason.split(":")[0]])).toEqual([
      ["costly", "costs at least 505 upstream calls whatever its variables; GRAPHQL_MAX_COST is 110"],
      ["typo", "does not validate against the served schema"],
      ["0".repeat(64), "the id is a sha256 but not the sha256 of the document's body (" + sha256Hex(NAME) + ")"],
      [
        `sha256:${sha256Hex(SHIPPED_DOCUMENTS[1].body)}`,
        `the id names two different documents (the other in ${SHIPPED_DOCUMENTS[1].source})`,
      ],
    ]);
    expect(served.deployments).toEqual([{ deployment: { name: "web", version: "1" }, served: 2, refused: 4 }]);
    // Usage: the shipped document is counted for the deployment that holds it too.
    expect(served.holders.get(served.documents.byId(sha256Hex(SHIPPED.body))!)).toEqual([{ name: "web", version: "1" }]);
    expect(served.added.map((document) => document.operationName)).toEqual(["Total"]);
  });

  test("a document still published is the same object in the next set (checked once); one published again is checked again", () => {
    const first = documents.serve([{ name: "a", version: "1", documents: [{ id: "name", body: NAME }] }]);
    const next = documents.serve([
      { name: "a", version: "1", documents: [{ id: "name", body: NAME }] },
      {
        name: "a",
        version: "2",
        documents: [
          { id: "name", body: NAME },
          { id: sha256Hex(TOTAL), body: TOTAL },
        ],
      },
    ]);
    expect(next.documents.byId("name")).toBe(first.documents.byId("name"));
    expect(next.added.map((document) => document.id)).toEqual([sha256Hex(TOTAL)]);
    expect(next.holders.get(next.documents.byId("name")!)).toEqual([
      { name: "a", version: "1" },
      { name: "a", version: "2" },
    ]);
    documents.serve([]);
    const again = documents.serve([{ name: "a", version: "1", documents: [{ id: "name", body: NAME }] }]);
    expect(again.documents.byId("name")).not.toBe(first.documents.byId("name"));
    expect(again.added).toHaveLength(1);
  });
});
