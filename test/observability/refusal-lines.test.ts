import { request } from "undici";
import { captureLogs } from "../support/log-capture.js";
import { startStack, type Stack } from "../support/stack.js";

// The refusals the HTTP handler writes itself (the body, safelisting, unknown document ids) reach the refusal log as
// the caller's refusals do: one warn line per class at once, the rest of a window counted, never the client's words.

const logs = captureLogs("info");
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { TRUSTED_DOCUMENTS_ONLY: "true", LOG_LEVEL: "info" }, gateway: { logger: logs.logger } });
});
afterAll(() => stack?.stop());

const refusedLines = () => logs.lines().filter((line) => line.level === 40 && line.msg === "request refused");

async function post(body: string | Buffer): Promise<number> {
  const response = await request(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
  await response.body.text();
  return response.statusCode;
}

test("a document outside the safelist, an unknown id, a body that is not JSON and one over the limit: one line per class", async () => {
  const secretLooking = "sk_live_client_words_never_logged";
  expect(await post(JSON.stringify({ query: `{ __typename } # ${secretLooking}` }))).toBe(400);
  expect(await post(JSON.stringify({ query: "{ __typename }" }))).toBe(400);
  expect(await post(JSON.stringify({ documentId: secretLooking }))).toBe(400);
  expect(await post("{ not json")).toBe(400);
  expect(await post(Buffer.alloc(2 * 1024 * 1024, 0x20))).toBe(413);

  expect(refusedLines().map(({ status, code }) => ({ status, code }))).toEqual([
    { status: 400, code: "QUERY_NOT_IN_SAFELIST" },
    { status: 400, code: "PERSISTED_QUERY_NOT_IN_LIST" },
    { status: 400, code: "BAD_REQUEST" },
    { status: 413, code: "BAD_REQUEST" },
  ]);
  expect(logs.text()).not.toContain(secretLooking);
});
