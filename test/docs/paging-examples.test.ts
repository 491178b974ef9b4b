import { readFileSync } from "node:fs";
import { SEED } from "../../src/emulator/seed.js";
import { restAllHolders, restGet } from "../support/holders-expectation.js";
import { markdownBlocks } from "../support/markdown-blocks.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// docs/frontend/paging.md's table of examples on the demo data, run row by row: each row's arguments go to
// `holders(...)` as written, and the page's customer names, hasPreviousPage and hasNextPage must be the row's. The
// page's other statements are checked on every answer: startCursor and endCursor are the first and the last edge's
// cursors (null on an empty page), and nodes are in the connection's order.

const PAGE = "docs/frontend/paging.md";
const HEADER = "| `holders(...)` | nodes (customer names) | `hasPreviousPage` | `hasNextPage` |";

interface Row {
  line: number;
  args: string;
  names: string;
  hasPreviousPage: string;
  hasNextPage: string;
}

function exampleRows(): Row[] {
  const { prose } = markdownBlocks(readFileSync(PAGE, "utf8"));
  const header = prose.findIndex(({ text }) => text === HEADER);
  if (header < 0) throw new Error(`${PAGE} has no table headed ${HEADER}`);
  const rows: Row[] = [];
  for (const { text, line } of prose.slice(header + 2)) {
    if (!text.startsWith("|")) break;
    const [argsCell, names, hasPreviousPage, hasNextPage] = text
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.push({ line, args: /^`([^`]+)`/.exec(argsCell)![1], names, hasPreviousPage, hasNextPage });
  }
  return rows;
}

interface Page {
  pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: { id: string } }>;
  nodes: Array<{ id: string; customer: { name: string } }>;
}

describe(`${PAGE}: the pageInfo examples on the demo data`, () => {
  let stack: Stack;
  /** The demo code's holders in the connection's default order (ID_ASC), as the emulator's REST API lists them. */
  let demo: Array<{ id: string; name: string }>;

  beforeAll(async () => {
    stack = await startStack();
    const holders = await restAllHolders(stack.emulator, SEED.code);
    demo = await Promise.all(
      holders.map(async (holder) => ({
        id: holder.id,
        name: (await restGet<{ name: string }>(stack.emulator, `/v1/customers/${holder.customer_id}`)).name,
      })),
    );
  });
  afterAll(() => stack?.stop());

  test("the page's description of the demo code is the emulator's: 26 holders, Demo Referrer then Referee 01 to 25", () => {
    expect(demo.map((holder) => holder.name)).toEqual([
      "Demo Referrer",
      ...Array.from({ length: 25 }, (_, n) => `Referee ${String(n + 1).padStart(2, "0")}`),
    ]);
  });

  test("the table has rows both ways, with and without a cursor", () => {
    const args = exampleRows().map((row) => row.args);
    for (const argument of [/^first: \d+$/, /after: /, /^last: \d+$/, /before: /]) {
      expect(args.some((text) => argument.test(text))).toBe(true);
    }
  });

  test.each(exampleRows().map((row) => [row.line, row.args, row] as const))("line %d: holders(%s)", async (_line, _args, row) => {
    const query = `{ referralMember(memberId: "${SEED.code}") { holders(${row.args}) {
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { id } } nodes { id customer { name } } } } }`;
    const response = await graphql<{ referralMember: { holders: Page } }>(stack.gateway.graphqlUrl, query);
    expect(response.errors).toBeUndefined();
    const page = response.data!.referralMember.holders;

    const names = page.nodes.map((node) => node.customer.name);
    const expected = row.names === "none" ? [] : row.names === "all 26" ? demo.map((holder) => holder.name) : row.names.split(", ");
    expect(names).toEqual(expected);
    expect({ hasPreviousPage: String(page.pageInfo.hasPreviousPage), hasNextPage: String(page.pageInfo.hasNextPage) }).toEqual({
      hasPreviousPage: row.hasPreviousPage,
      hasNextPage: row.hasNextPage,
    });

    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    const position = (id: string) => demo.findIndex((holder) => holder.id === id);
    const positions = page.nodes.map((node) => position(node.id));
    const ascending = !/order: ID_DESC/.test(row.args);
    expect(positions).toEqual([...positions].sort((a, b) => (ascending ? a - b : b - a)));
  });
});
