import { SEED } from "../../src/emulator/seed.js";
import { FAULT_SCENARIOS, LIST_HOLDERS, runScenario } from "../faults/fault-scenarios.js";
import { graphql, startStack, type GraphQLResponse, type Stack } from "../support/stack.js";
import { captureLogs } from "../support/log-capture.js";

// Credentials never leave the gateway: not in a response (body or headers), not in a log line at trace level,
// whatever the upstream does. Recognisable canaries make any leak findable by a plain substring search.

const SERVER_CREDENTIALS = { appId: "app_SECRET_canary_id", appToken: "tok_SECRET_canary_123" };
const CLIENT_CREDENTIALS = { "x-app-id": "app_CLIENT_canary_id", "x-app-token": "tok_CLIENT_canary_456" };
const CANARIES = [...Object.values(SERVER_CREDENTIALS), ...Object.values(CLIENT_CREDENTIALS)];

function transcript(response: GraphQLResponse): string {
  return JSON.stringify({ status: response.status, headers: [...response.headers], data: response.data, errors: response.errors });
}

/** Fails naming the canary if any credential appears in these responses or in the log lines captured so far. */
function expectNoCanary(responses: GraphQLResponse[], log: ReturnType<typeof captureLogs>): void {
  const everything = responses.map(transcript).join("\n") + log.text();
  for (const canary of CANARIES) expect(everything).not.toContain(canary);
}

function canaryStack(log: ReturnType<typeof captureLogs>, env: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    env,
    emulator: SERVER_CREDENTIALS,
    gateway: { credentials: SERVER_CREDENTIALS, logger: log.logger },
  });
}

describe("every upstream fault, replayed with canary credentials", () => {
  // Each scenario checks its own response and log lines: any one of them runs (and fails) on its own.
  test.each(FAULT_SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    const log = captureLogs("trace");
    const stack = await canaryStack(log, scenario.env);
    try {
      // Client credentials ride along too: ignored here (not allowed), they must not leak either.
      const { response } = await runScenario(stack, scenario, CLIENT_CREDENTIALS);
      expect(response.errors?.[0]?.extensions?.code ?? null).toBe(scenario.code);
      // The capture works: the operation was logged at least once, so a leak in a log line would be seen.
      expect(log.lines().length).toBeGreaterThan(0);
      expectNoCanary([response], log);
    } finally {
      await stack.stop();
    }
  });

  test("the log capture sees failed upstream calls (so the search above searches real log lines)", async () => {
    const log = captureLogs("trace");
    const failing = FAULT_SCENARIOS.find((scenario) => scenario.code === "UPSTREAM_ERROR")!;
    const stack = await canaryStack(log, failing.env);
    try {
      await runScenario(stack, failing, CLIENT_CREDENTIALS);
      expect(log.text()).toMatch(/UPSTREAM_ERROR/);
    } finally {
      await stack.stop();
    }
  });
});

describe("client credentials", () => {
  // Each test captures its own log and searches its own responses for the canaries.
  let log: ReturnType<typeof captureLogs>;
  let responses: GraphQLResponse[];
  beforeEach(() => {
    log = captureLogs("trace");
    responses = [];
  });
  afterEach(() => {
    expect(responses.length).toBeGreaterThan(0);
    expectNoCanary(responses, log);
  });
  const list = async (stack: Stack, headers: Record<string, string>) => {
    const response = await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code }, headers);
    responses.push(response);
    return response;
  };

  test("ALLOW_CLIENT_CREDENTIALS off: a client's X-App-Id/X-App-Token are ignored, the server's are used", async () => {
    const stack = await canaryStack(log);
    try {
      // The emulator accepts only the server's canary credentials: success proves the client's never went upstream.
      const result = await list(stack, CLIENT_CREDENTIALS);
      expect(result.errors).toBeUndefined();
      expect(result.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
    } finally {
      await stack.stop();
    }
  });

  test("ALLOW_CLIENT_CREDENTIALS on: a client's credentials are forwarded (wrong ones are UNAUTHENTICATED)", async () => {
    const stack = await canaryStack(log, { ALLOW_CLIENT_CREDENTIALS: "true" });
    try {
      const wrong = await list(stack, CLIENT_CREDENTIALS);
      expect(wrong.errors![0].extensions).toMatchObject({ code: "UNAUTHENTICATED", upstream: { status: 401 } });
      const right = await list(stack, { "x-app-id": SERVER_CREDENTIALS.appId, "x-app-token": SERVER_CREDENTIALS.appToken });
      expect(right.errors).toBeUndefined();
      // Without a complete pair of their own, clients get the server's.
      expect((await list(stack, {})).errors).toBeUndefined();
      expect((await list(stack, { "x-app-token": CLIENT_CREDENTIALS["x-app-token"] })).errors).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });

  test("with no server credentials, a client without its own is UNAUTHENTICATED before any upstream call", async () => {
    const stack = await startStack({
      env: { ALLOW_CLIENT_CREDENTIALS: "true" },
      emulator: SERVER_CREDENTIALS,
      gateway: { credentials: null, logger: log.logger },
    });
    try {
      const anonymous = await list(stack, {});
      expect(anonymous.errors![0].extensions?.code).toBe("UNAUTHENTICATED");
      expect(stack.emulator.requests).toHaveLength(0);
      const own = await list(stack, { "x-app-id": SERVER_CREDENTIALS.appId, "x-app-token": SERVER_CREDENTIALS.appToken });
      expect(own.errors).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});
