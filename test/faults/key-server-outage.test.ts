import { jest } from "@jest/globals";
import { captureLogs } from "../support/log-capture.js";
import { eventually } from "../support/replica-probes.js";
import { graphql, metricsUrlOf, startStack, type Stack } from "../support/stack.js";
import { bearer, rsaSigningKey, signToken, startJwksServer, type JwksServer, type SigningKey } from "../support/tokens.js";

// AUTH_JWT_JWKS_URL's key server, a real JWKS over HTTP, down when the gateway starts, then up, then down again.
// Each outage is one warning naming the server's host and the error, every failed fetch is counted, /readyz says
// what the keys allow (not ready before any key was fetched; ready with a warning while the keys fetched before
// still verify), and refused requests are logged at a bounded rate.

const HOLDERS = '{ referralMember(memberId: "WELCOME-REF") { holders(first: 1) { totalCount } } }';
const FETCH_FAILED = /token verification keys could not be fetched/;

let jwks: JwksServer;
let key: SigningKey;
let stack: Stack;
const logs = captureLogs("info");
jest.setTimeout(60_000);

beforeAll(async () => {
  key = await rsaSigningKey("key-2026-a");
  jwks = await startJwksServer([key], { down: true });
  stack = await startStack({
    env: { AUTH_JWT_JWKS_URL: jwks.url, CALLER_BUDGET_PER_MINUTE: "0" },
    // No cooldown between fetches for unknown key ids, and a quick retry while the server fails: nothing waits here.
    gateway: { logger: logs.logger, jwksCooldownMs: 0, jwksRetryMs: 50 },
  });
});
afterAll(async () => {
  await stack?.stop();
  await jwks?.stop();
});

async function readyz(): Promise<{ status: number; body: { ready: boolean; checks: { auth: string }; warnings?: string[] } }> {
  const response = await fetch(stack.gateway.url + "/readyz");
  return { status: response.status, body: (await response.json()) as never };
}

async function failedFetches(): Promise<number> {
  const text = await (await fetch(metricsUrlOf(stack))).text();
  return Number(/^gateway_auth_key_fetch_failures_total (\d+)$/m.exec(text)?.[1]);
}

const token = (sub: string, signer = key) =>
  signToken({ sub, scope: "referrals:read" }, { alg: "RS256", key: signer.privateKey, kid: signer.kid });
const warnings = () => logs.lines().filter((line) => line.level === 40);
const outageLines = () => warnings().filter((line) => FETCH_FAILED.test(String(line.msg)));

test("down at start: not ready, bearer tokens refused with 503, one warning naming the host and the error, failures counted", async () => {
  const answer = await readyz();
  expect(answer.status).toBe(503);
  expect(answer.body).toMatchObject({ ready: false, checks: { auth: "keys unavailable" } });

  stack.emulator.resetRequests();
  const alice = bearer(await token("alice"));
  for (let i = 0; i < 3; i++) {
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, alice);
    expect(response.status).toBe(503);
    expect(response.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/could not fetch its token verification keys/),
      extensions: { code: "UPSTREAM_ERROR" },
    });
  }
  expect(stack.emulator.requests).toEqual([]);

  const host = new URL(jwks.url).host;
  // The retry timer keeps failing meanwhile: still one line for the outage.
  await eventually(async () => (await failedFetches()) >= 3);
  expect(outageLines()).toEqual([
    expect.objectContaining({ keyServer: host, error: expect.stringMatching(/ECONNREFUSED/), cachedKeys: false }),
  ]);
  expect(String(outageLines()[0].msg)).toContain(host);
  // The URL's path (or a query, which could carry a secret) is never logged.
  expect(logs.text()).not.toContain("/.well-known/jwks.json");

  // Three refused requests of one class: one line, now; the rest are counted for the window's closing line.
  const refused = warnings().filter((line) => line.msg === "request refused");
  expect(refused).toEqual([expect.objectContaining({ status: 503, code: "UPSTREAM_ERROR" })]);
});

test("a refused token's 401 is logged as its own class, with the gateway's reason (never the token)", async () => {
  const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { authorization: "Bearer not.a-token.at-all" });
  expect(response.status).toBe(401);
  expect(warnings().filter((line) => line.msg === "request refused" && line.status === 401)).toEqual([
    expect.objectContaining({ code: "UNAUTHENTICATED", reason: "The token is malformed." }),
  ]);
  expect(logs.text()).not.toContain("not.a-token.at-all");
});

test("the key server comes up: found by the retry, ready, a line says so, and tokens verify", async () => {
  await jwks.up();
  await eventually(async () => (await readyz()).status === 200);
  const answer = await readyz();
  expect(answer.body).toMatchObject({ ready: true, checks: { auth: "ok" } });
  expect(answer.body.warnings).toBeUndefined();
  expect(logs.lines().filter((line) => /fetched from .* again/.test(String(line.msg)))).toHaveLength(1);

  const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(await token("bob")));
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
});

test("down again: the keys fetched before still verify (ready, with a warning), an unknown key id is 503, one more warning", async () => {
  await jwks.down();
  const failuresBefore = await failedFetches();
  // A key id the cached set lacks makes the gateway fetch (no cooldown here): that fetch fails, a second outage.
  const rotated = await rsaSigningKey("key-2026-b");
  const unknownKid = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(await token("carol", rotated)));
  expect(unknownKid.status).toBe(503);
  expect(unknownKid.errors?.[0].extensions?.code).toBe("UPSTREAM_ERROR");

  // A new token signed with the key fetched before: verified with the cached keys, answered.
  const known = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(await token("dave")));
  expect(known.errors).toBeUndefined();
  expect(known.status).toBe(200);

  const answer = await readyz();
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ ready: true, checks: { auth: "keys unavailable" } });
  expect(answer.body.warnings).toEqual([expect.stringMatching(/^auth: the key server fails since .*ECONNREFUSED.*keys fetched before/)]);

  expect(outageLines()).toHaveLength(2);
  expect(outageLines()[1]).toMatchObject({ cachedKeys: true, msg: expect.stringMatching(/verified with the keys fetched before/) });
  expect(await failedFetches()).toBeGreaterThan(failuresBefore);
});
