import { SEED } from "../../src/emulator/seed.js";
import { RemoveHolderDocument } from "../generated/operations.js";
import { within } from "../support/raw-client.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { execute } from "../support/typed-operation.js";
import { addReferee } from "./fault-scenarios.js";

// Found by the soak (test/load/soak.ts): a page above 100 holders chains upstream pages, each starting after the
// last holder of the one before. If that holder is removed in between, the upstream refuses the starting_after_id
// (400). src/referrals/read-holders.ts then drops the vanished holder and resumes after the one before it.

describe("a holder removed while a long page is being chained", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    // 26 seeded + 80 = 106 holders: `first: 101` needs a second upstream page, starting after holder #100.
    for (let i = 0; i < 80; i++) await addReferee(stack, `chained-race-${i}`);
  });
  afterAll(() => stack.stop());

  test("the page is still served, without the removed holder", async () => {
    stack.emulator.resetRequests();
    // Hold the second upstream page until its starting holder has been removed: the race, made deterministic.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The emulator reports the chained read as it arrives (the fault's match sees every request): no polling.
    let arrived!: (query: string) => void;
    const chainedRead = new Promise<string>((resolve) => (arrived = resolve));
    const isChainedRead = (r: { method: string; query: string }) => r.method === "GET" && r.query.includes("starting_after_id");
    stack.emulator.injectFault({
      holdUntil: held,
      times: 1,
      match: (r) => (isChainedRead(r) ? (arrived(r.query), true) : false),
    });
    const page = graphql(
      stack.gateway.graphqlUrl,
      `{ referralMember(memberId: "${SEED.code}") { holders(first: 101) { totalCount nodes { id } } } }`,
    );
    let cursorHolder: string;
    try {
      cursorHolder = new URLSearchParams(await within(10_000, "the chained upstream read", chainedRead)).get("starting_after_id")!;
      const removed = await fetch(`${stack.emulator.url}/v1/referrals/members/${SEED.code}/holders/${cursorHolder}`, {
        method: "DELETE",
        headers: { "x-app-id": stack.emulator.appId, "x-app-token": stack.emulator.appToken },
      });
      expect(removed.status).toBe(204);
    } finally {
      release(); // on failure too: a held request must not outlive the test
    }
    const result = await page;
    expect(result.errors).toBeUndefined();
    expect(result.data.referralMember.holders.nodes).toHaveLength(101);
    expect(result.data.referralMember.holders.nodes.map((n: { id: string }) => n.id)).not.toContain(cursorHolder);
  });
});

describe("a client cursor whose holder was removed", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test("gets BAD_USER_INPUT naming the cursor, not the upstream's generic message", async () => {
    const query = `query($after: String) {
      referralMember(memberId: "${SEED.code}") { holders(first: 2, after: $after) { pageInfo { endCursor } nodes { id } } }
    }`;
    const first = await graphql(stack.gateway.graphqlUrl, query);
    const [, second] = first.data.referralMember.holders.nodes as { id: string }[];
    const removed = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: second.id } });
    expect(removed.errors).toBeUndefined();
    const next = await graphql(stack.gateway.graphqlUrl, query, { after: first.data.referralMember.holders.pageInfo.endCursor });
    expect(next.errors?.[0].message).toBe(
      'The "after" cursor points at a holder that no longer exists; read the connection again from its start.',
    );
    expect(next.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after", upstream: { status: 400 } });
  });
});
