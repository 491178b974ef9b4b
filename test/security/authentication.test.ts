import { generateKeyPairSync } from "node:crypto";
import { importPKCS8 } from "jose";
import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import {
  ALL_SCOPES,
  bearer,
  rsaSigningKey,
  signToken,
  startJwksServer,
  TEST_JWT_SECRET,
  unsignedToken,
  type JwksServer,
} from "../support/tokens.js";

// Who may call: every operation is checked before any upstream call. "No upstream call" is proved by the emulator's
// own request log, which sees every request the gateway sends.

const HOLDERS = `{ referralMember(memberId: "${SEED.code}") { holders(first: 2) { totalCount nodes { id } } } }`;
const HOLDERS_WITH_CUSTOMERS = `{
  referralMember(memberId: "${SEED.code}") { holders(first: 2) { nodes { id customer { id name email } } } }
}`;
const OTHER_HOLDERS = `{ referralMember(memberId: "${SEED.otherCode}") { holders(first: 2) { totalCount } } }`;
const ADD = `mutation Add($memberId: ID!) {
  addHolders(input: { memberId: $memberId, holders: [{ sourceId: "auth-suite-new" }] }) { holders { id } }
}`;
const REMOVE = `mutation { removeHolder(input: { memberId: "${SEED.code}", holderId: "rh_whatever" }) { removedHolderId } }`;

function codes(response: { errors?: Array<{ extensions?: Record<string, unknown> }> }) {
  return response.errors?.map((error) => error.extensions?.code);
}

describe("JWT verification with an HS256 secret", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_JWT_ISSUER: "https://login.test/", AUTH_JWT_AUDIENCE: "referrals-gateway" },
    });
  });
  afterAll(() => stack.stop());
  const good = (claims: Record<string, unknown> = {}, options: Parameters<typeof signToken>[1] = {}) =>
    signToken({ iss: "https://login.test/", aud: "referrals-gateway", scope: ALL_SCOPES, ...claims }, options);

  test("a valid token reads holders", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(await good()));
    expect(response.errors).toBeUndefined();
    expect(response.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
  });

  const refusals: Array<[string, () => Promise<Record<string, string>>, RegExp]> = [
    ["no Authorization header", async () => ({}), /Bearer <token>/],
    ["a Basic header", async () => ({ authorization: "Basic YWxpY2U6c2VjcmV0" }), /Bearer <token>/],
    ["a malformed token", async () => bearer("not.a.jwt"), /malformed/],
    ["an expired token", async () => bearer(await good({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })), /expired/],
    ["a token not valid yet", async () => bearer(await good({}, { notBefore: "10m" })), /not valid yet/],
    [
      "alg: none",
      async () => bearer(unsignedToken({ iss: "https://login.test/", aud: "referrals-gateway", scope: ALL_SCOPES })),
      /algorithm|malformed/,
    ],
    ["the wrong issuer", async () => bearer(await good({ iss: "https://evil.test/" })), /issuer/],
    ["the wrong audience", async () => bearer(await good({ aud: "another-api" })), /audience/],
    [
      "the wrong signature",
      async () => bearer(await good({}, { key: new TextEncoder().encode("another-secret-another-secret-0123456789") })),
      /signature/,
    ],
    ["a token without exp", async () => bearer(await good({ exp: undefined }, { expiresIn: undefined }).then(stripExp)), /exp|signature/],
  ];

  test.each(refusals)("%s: 401 UNAUTHENTICATED, no upstream call", async (_name, headers, message) => {
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, await headers());
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(["UNAUTHENTICATED"]);
    expect(response.errors![0].message).toMatch(message);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(response.data).toBeUndefined();
    expect(stack.emulator.requests).toEqual([]);
  });
});

/** A token without `exp`, re-signed: jose's SignJWT always writes the claims it is given. */
async function stripExp(token: string): Promise<string> {
  const [, payload] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  delete claims.exp;
  const { SignJWT } = await import("jose");
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

describe("JWT verification with a PEM public key (ES256)", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_JWT_PUBLIC_KEY: publicPem } });
  });
  afterAll(() => stack.stop());

  test("a token signed with the private key is accepted", async () => {
    const token = await signToken({ scope: "referrals:read" }, { alg: "ES256", key: await importPKCS8(privatePem, "ES256") });
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(token));
    expect(response.errors).toBeUndefined();
  });

  test("an HS256 token whose secret is the public key itself (algorithm confusion) is refused", async () => {
    const forged = await signToken({ scope: ALL_SCOPES }, { alg: "HS256", key: new TextEncoder().encode(publicPem) });
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(forged));
    expect(response.status).toBe(401);
    expect(response.errors![0].message).toMatch(/algorithm/);
    expect(stack.emulator.requests).toEqual([]);
  });
});

describe("JWT verification with a JWKS served over HTTP", () => {
  let jwks: JwksServer;
  let stack: Stack;
  beforeAll(async () => {
    jwks = await startJwksServer([await rsaSigningKey("key-2026-a")]);
    // No cooldown between JWKS fetches, so the rotation below needs no waiting (production keeps jose's 30 s).
    stack = await startStack({ env: { AUTH_JWT_JWKS_URL: jwks.url }, gateway: { jwksCooldownMs: 0 } });
  });
  afterAll(async () => {
    await stack.stop();
    await jwks.stop();
  });

  test("keys are fetched once and cached; a rotated-in kid is fetched when first seen", async () => {
    const [first] = jwks.keys;
    const tokenA = await signToken({ scope: "referrals:read" }, { alg: "RS256", key: first.privateKey, kid: first.kid });
    for (let i = 0; i < 3; i++) {
      expect((await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(tokenA))).errors).toBeUndefined();
    }
    expect(jwks.fetches).toBe(1);

    const second = await rsaSigningKey("key-2026-b");
    jwks.keys = [first, second];
    const tokenB = await signToken({ scope: "referrals:read" }, { alg: "RS256", key: second.privateKey, kid: second.kid });
    expect((await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(tokenB))).errors).toBeUndefined();
    expect(jwks.fetches).toBe(2);
    // The old key still verifies from the refreshed set, without another fetch (a new token: verified ones are remembered).
    const tokenA2 = await signToken({ sub: "alice-2", scope: "referrals:read" }, { alg: "RS256", key: first.privateKey, kid: first.kid });
    expect((await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(tokenA2))).errors).toBeUndefined();
    expect(jwks.fetches).toBe(2);
  });

  test("a kid the JWKS does not have is 401, with no upstream call", async () => {
    const stranger = await rsaSigningKey("key-unknown");
    const token = await signToken({ scope: ALL_SCOPES }, { alg: "RS256", key: stranger.privateKey, kid: stranger.kid });
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, bearer(token));
    expect(response.status).toBe(401);
    expect(response.errors![0].message).toMatch(/key the gateway does not know/);
    expect(stack.emulator.requests).toEqual([]);
  });
});

describe("scopes and member restrictions", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_JWT_SECRET: TEST_JWT_SECRET } });
  });
  afterAll(() => stack.stop());
  const as = async (claims: Record<string, unknown>) => bearer(await signToken(claims));

  test("a read-only token cannot write: 403 FORBIDDEN for addHolders and removeHolder, no upstream call", async () => {
    const headers = await as({ scope: "referrals:read customers:read" });
    stack.emulator.resetRequests();
    for (const [query, variables] of [
      [ADD, { memberId: SEED.code }],
      [REMOVE, undefined],
    ] as const) {
      const response = await graphql(stack.gateway.graphqlUrl, query, variables, headers);
      expect(response.status).toBe(403);
      expect(codes(response)).toEqual(["FORBIDDEN"]);
      expect(response.errors![0].message).toMatch(/referrals:write/);
    }
    expect(stack.emulator.requests).toEqual([]);
  });

  test("a token without referrals:read cannot read holders, even beside fields it may read", async () => {
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, await as({ scope: "referrals:write" }));
    expect(response.status).toBe(403);
    expect(response.errors![0].message).toMatch(/ReferralMember.holders needs the scope referrals:read/);
    expect(stack.emulator.requests).toEqual([]);
  });

  test("scopes may come as an scp array", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, await as({ scp: ["referrals:read"] }));
    expect(response.errors).toBeUndefined();
  });

  test("without customers:read, customer fields are null with FORBIDDEN at their path; ids and page stand; no customer read", async () => {
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS_WITH_CUSTOMERS, undefined, await as({ scope: "referrals:read" }));
    expect(response.status).toBe(200);
    const nodes = response.data.referralMember.holders.nodes as Array<{ id: string; customer: Record<string, unknown> }>;
    expect(nodes).toHaveLength(2);
    for (const node of nodes) expect(node.customer).toEqual({ id: expect.stringMatching(/^cust_/), name: null, email: null });
    expect(response.errors).toHaveLength(4);
    expect(new Set(codes(response))).toEqual(new Set(["FORBIDDEN"]));
    expect(response.errors!.map((e) => e.path)).toContainEqual(["referralMember", "holders", "nodes", 0, "customer", "email"]);
    expect(stack.emulator.requests.filter((r) => r.path.startsWith("/v1/customers"))).toEqual([]);
  });

  test("with customers:read, the same operation reads the customers", async () => {
    const response = await graphql(
      stack.gateway.graphqlUrl,
      HOLDERS_WITH_CUSTOMERS,
      undefined,
      await as({ scope: "referrals:read customers:read" }),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.referralMember.holders.nodes[0].customer.name).toBe("Demo Referrer");
  });

  test("referral_members restricts which codes a caller may read or write, matched as given", async () => {
    const headers = await as({ scope: ALL_SCOPES, referral_members: [SEED.code] });
    expect((await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, headers)).errors).toBeUndefined();
    stack.emulator.resetRequests();
    const attempts = [
      [OTHER_HOLDERS, undefined],
      [`{ referralMember(memberId: "${SEED.voucherId}") { holders(first: 1) { totalCount } } }`, undefined],
      [ADD, { memberId: SEED.otherCode }],
      [
        `{
          ok: referralMember(memberId: "${SEED.code}") { holders(first: 1) { totalCount } }
          no: referralMember(memberId: "${SEED.otherCode}") { id }
        }`,
        undefined,
      ],
      [
        `{ _entities(representations: [{ __typename: "ReferralMember", id: "${SEED.otherCode}" }]) { ... on ReferralMember { id } } }`,
        undefined,
      ],
      [
        `{ _entities(representations: [{ __typename: "Customer", id: "${SEED.referrerCustomerId}" }]) { ... on Customer { email } } }`,
        undefined,
      ],
    ] as const;
    for (const [query, variables] of attempts) {
      const response = await graphql(stack.gateway.graphqlUrl, query, variables, headers);
      expect({ query, status: response.status, codes: codes(response) }).toEqual({ query, status: 403, codes: ["FORBIDDEN"] });
    }
    // Not even the permitted alias in the mixed operation was read.
    expect(stack.emulator.requests).toEqual([]);
  });

  test("Customer entities need customers:read for personal fields, like customers reached through holders", async () => {
    const query = `{
      _entities(representations: [{ __typename: "Customer", id: "${SEED.referrerCustomerId}" }]) { ... on Customer { id email } }
    }`;
    const without = await graphql(stack.gateway.graphqlUrl, query, undefined, await as({ scope: "referrals:read" }));
    expect(without.data._entities).toEqual([{ id: SEED.referrerCustomerId, email: null }]);
    expect(codes(without)).toEqual(["FORBIDDEN"]);
    const withScope = await graphql(stack.gateway.graphqlUrl, query, undefined, await as({ scope: "customers:read" }));
    expect(withScope.errors).toBeUndefined();
    expect(withScope.data._entities[0].email).toEqual(expect.stringContaining("@"));
  });

  test("_entities takes at most 100 representations", async () => {
    const representations = Array.from({ length: 101 }, (_, i) => ({ __typename: "ReferralMember", id: `CODE-${i}` }));
    stack.emulator.resetRequests();
    const response = await graphql(
      stack.gateway.graphqlUrl,
      "query($r: [_Any!]!) { _entities(representations: $r) { ... on ReferralMember { id } } }",
      { r: representations },
      await as({ scope: ALL_SCOPES }),
    );
    expect(codes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(response.errors![0].message).toMatch(/at most 100/);
    expect(stack.emulator.requests).toEqual([]);
  });
});
