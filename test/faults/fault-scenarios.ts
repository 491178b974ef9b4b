import { SEED } from "../../src/emulator/seed.js";
import { type FaultSpec, type RecordedRequest } from "../../src/emulator/emulator.js";
import type { ErrorCode } from "../../src/errors/error-codes.js";
import { AddHoldersDocument, RemoveHolderDocument } from "../generated/operations.js";
import { graphql, startStack, type GraphQLResponse, type Stack } from "../support/stack.js";
import { execute } from "../support/typed-operation.js";

/**
 * Every upstream misbehaviour the gateway must map to its error table, as data: the fault test checks each one's
 * code and attempt count, and the credential-leak test replays the same list with a canary token.
 */

export const LIST_HOLDERS = `query ListHolders($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 5) { totalCount nodes { id } } }
}`;

export type FaultOperation = "list" | "add" | "remove";

export interface FaultScenario {
  name: string;
  operation: FaultOperation;
  fault: Omit<FaultSpec, "match">;
  /** null: the operation succeeds despite the fault (a retry recovered it). */
  code: ErrorCode | null;
  /** Upstream requests the operation makes, retries included. */
  attempts: number;
  /** Environment of the stack (VOUCHERIFY_TIMEOUT_MS for the timeout case). */
  env?: Record<string, string>;
}

const HTML_PAGE = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
/** A holder list whose holders lack every required field: must not become nulls in non-null fields. */
const WRONG_SHAPE_LIST = JSON.stringify({
  object: "list",
  data_ref: "data",
  data: [{ id: "rh_x", holder_role: "KING" }],
  total: 1,
  has_more: false,
});

export const FAULT_SCENARIOS: FaultScenario[] = [
  { name: "GET 500 (not retried: not transient)", operation: "list", fault: { status: 500 }, code: "UPSTREAM_ERROR", attempts: 1 },
  { name: "GET 502 persistent", operation: "list", fault: { status: 502 }, code: "UPSTREAM_ERROR", attempts: 3 },
  { name: "GET 503 persistent", operation: "list", fault: { status: 503 }, code: "UPSTREAM_ERROR", attempts: 3 },
  { name: "GET 504 persistent", operation: "list", fault: { status: 504 }, code: "UPSTREAM_ERROR", attempts: 3 },
  { name: "GET 503 once, then recovered", operation: "list", fault: { status: 503, times: 1 }, code: null, attempts: 2 },
  {
    name: "GET 503 with an HTML body",
    operation: "list",
    fault: { status: 503, body: HTML_PAGE, headers: { "content-type": "text/html" } },
    code: "UPSTREAM_ERROR",
    attempts: 3,
  },
  { name: "GET 401", operation: "list", fault: { status: 401 }, code: "UNAUTHENTICATED", attempts: 1 },
  {
    name: "GET 200 with an HTML body",
    operation: "list",
    fault: { status: 200, body: HTML_PAGE, headers: { "content-type": "text/html" } },
    code: "UPSTREAM_ERROR",
    attempts: 1,
  },
  {
    name: "GET 200 with truncated JSON",
    operation: "list",
    fault: { status: 200, body: '{"object":"list","data_ref":"data","data":[{"id":"rh_' },
    code: "UPSTREAM_ERROR",
    attempts: 1,
  },
  {
    name: "GET 200 with a body of the wrong shape",
    operation: "list",
    fault: { status: 200, body: WRONG_SHAPE_LIST },
    code: "UPSTREAM_ERROR",
    attempts: 1,
  },
  { name: "GET 200 with an empty body", operation: "list", fault: { status: 200, body: "" }, code: "UPSTREAM_ERROR", attempts: 1 },
  { name: "GET 200 with JSON null", operation: "list", fault: { status: 200, body: "null" }, code: "UPSTREAM_ERROR", attempts: 1 },
  { name: "GET dropped connection", operation: "list", fault: { dropConnection: true }, code: "UPSTREAM_ERROR", attempts: 3 },
  { name: "GET dropped once, then recovered", operation: "list", fault: { dropConnection: true, times: 1 }, code: null, attempts: 2 },
  {
    name: "GET slower than VOUCHERIFY_TIMEOUT_MS",
    operation: "list",
    fault: { latencyMs: 3000 },
    code: "UPSTREAM_TIMEOUT",
    attempts: 1,
    env: { VOUCHERIFY_TIMEOUT_MS: "300" },
  },
  { name: "POST 503 (never retried)", operation: "add", fault: { status: 503 }, code: "UPSTREAM_ERROR", attempts: 1 },
  { name: "POST 502 (never retried)", operation: "add", fault: { status: 502 }, code: "UPSTREAM_ERROR", attempts: 1 },
  {
    name: "POST dropped connection (never retried)",
    operation: "add",
    fault: { dropConnection: true },
    code: "UPSTREAM_ERROR",
    attempts: 1,
  },
  {
    name: "POST 200 with a body of the wrong shape",
    operation: "add",
    fault: { status: 200, body: '{"holders":"yes"}' },
    code: "UPSTREAM_ERROR",
    attempts: 1,
  },
  { name: "POST 401", operation: "add", fault: { status: 401 }, code: "UNAUTHENTICATED", attempts: 1 },
  { name: "DELETE 503 persistent", operation: "remove", fault: { status: 503 }, code: "UPSTREAM_ERROR", attempts: 3 },
  { name: "DELETE 503 once, then recovered", operation: "remove", fault: { status: 503, times: 1 }, code: null, attempts: 2 },
  {
    name: "DELETE applied but its reply lost: the retry's 404 is the success",
    operation: "remove",
    fault: { afterHandler: "drop", times: 1 },
    code: null,
    attempts: 2,
  },
  {
    name: "DELETE 429 with Retry-After: 7",
    operation: "remove",
    fault: { status: 429, headers: { "retry-after": "7" } },
    code: "RATE_LIMITED",
    attempts: 1,
  },
  {
    name: "GET 429 with Retry-After: 7",
    operation: "list",
    fault: { status: 429, headers: { "retry-after": "7" } },
    code: "RATE_LIMITED",
    attempts: 1,
  },
];

const METHOD: Record<FaultOperation, string> = { list: "GET", add: "POST", remove: "DELETE" };

let customerSerial = 0;
/** A customer nobody has used yet in this process, so adds never collide across scenarios. */
export function freshSourceId(prefix: string): string {
  customerSerial += 1;
  return `${prefix}-${process.pid}-${customerSerial}`;
}

export interface ScenarioRun {
  response: GraphQLResponse;
  /** Upstream requests of the faulted kind (the operation's method): its attempts. Setup and re-reads excluded. */
  upstream: RecordedRequest[];
  /** For "remove": the holder the operation tried to remove. */
  holderId?: string;
}

/** Adds one referee to the demo code through the gateway; returns its holder id. */
export async function addReferee(stack: Stack, sourceId = freshSourceId("referee")): Promise<string> {
  const added = await execute(stack.gateway.graphqlUrl, AddHoldersDocument, {
    input: { memberId: SEED.code, holders: [{ sourceId, name: "Fault test" }] },
  });
  if (added.errors || !added.data) throw new Error(`setup failed: ${JSON.stringify(added.errors)}`);
  return added.data.addHolders.holders[0].id;
}

/**
 * Runs one scenario on a stack: setup first (unfaulted), then the fault (matching the operation's method only)
 * and the operation. Extra headers go with the faulted request (client credentials tests).
 */
export async function runScenario(stack: Stack, scenario: FaultScenario, headers: Record<string, string> = {}): Promise<ScenarioRun> {
  const holderId = scenario.operation === "remove" ? await addReferee(stack) : undefined;
  stack.emulator.resetRequests();
  const method = METHOD[scenario.operation];
  stack.emulator.injectFault({ ...scenario.fault, match: (r) => r.method === method });
  const url = stack.gateway.graphqlUrl;
  let response: GraphQLResponse;
  if (scenario.operation === "list") {
    response = await graphql(url, LIST_HOLDERS, { memberId: SEED.code }, headers);
  } else if (scenario.operation === "add") {
    const input = { memberId: SEED.code, holders: [{ sourceId: freshSourceId("fault"), email: "fault@example.com" }] };
    response = await execute(url, AddHoldersDocument, { input }, headers);
  } else {
    response = await execute(url, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: holderId! } }, headers);
  }
  // A write that succeeds re-reads the member's holders (GET): those are not attempts of the write.
  const upstream = stack.emulator.requests.filter((r) => r.method === method);
  stack.emulator.clearFaults();
  return { response, upstream, holderId };
}

/** A stack for one scenario: a 429 blocks the whole transport for Retry-After, so scenarios never share one. */
export function startScenarioStack(scenario: FaultScenario, options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  return startStack({ ...options, env: { ...options.env, ...scenario.env } });
}
