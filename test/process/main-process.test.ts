import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENT } from "../../src/config.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { launch, readyUrl, type Launched } from "../support/child-process.js";
import { upstreamEnv } from "../support/process-env.js";

// These tests run the compiled entry point as operators do (`npm test` builds before jest).
const MAIN = "dist/src/main.js";

function run(env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): Launched {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
  return launch(process.execPath, [...nodeArgs, MAIN, ...args], { env: { LOG_LEVEL: "warn", ...env } });
}

test("--help lists every environment variable", async () => {
  const child = run({}, ["--help"]);
  expect(await child.exited).toBe(0);
  for (const { name } of ENVIRONMENT) expect(child.stdout()).toContain(name);
});

test("a bad configuration exits non-zero before listening, with one message per bad value", async () => {
  const child = run({ VOUCHERIFY_API_URL: "https://api.voucherify.io", VOUCHERIFY_APP_ID: "id", PORT: "99999" });
  expect(await child.exited).toBe(2);
  expect(child.stderr()).toContain("VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_TOKEN is missing");
  expect(child.stderr()).toContain('PORT must be a whole number from 0 to 65535; got "99999"');
  expect(child.stdout()).not.toContain("ready at");
});

const NO_AUTH =
  "NODE_ENV=production needs to know who is calling: set AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY or AUTH_JWT_SECRET " +
  "(or AUTH_DISABLED=true when something in front of the gateway authenticates every request)";
const NO_UPSTREAM =
  "NODE_ENV=production without VOUCHERIFY_API_URL would serve the embedded emulator's demo data: set VOUCHERIFY_API_URL, " +
  "VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN to front Voucherify (or EMULATOR_IN_PRODUCTION=true to serve the emulator on purpose)";

test("production with neither an upstream nor a way to verify callers: both problems in one pass, exit 2, nothing listening", async () => {
  // The installing page's command with the two settings forgotten.
  const child = run({ NODE_ENV: "production", HOST: "0.0.0.0", PORT: "0", EMULATOR_DB: ":memory:" });
  expect(await child.exited).toBe(2);
  expect(child.stderr().trim().split("\n")).toEqual(["Invalid configuration:", `  - ${NO_AUTH}`, `  - ${NO_UPSTREAM}`]);
  expect(child.stdout()).not.toContain("ready at");
});

test("a configuration problem and a bad trusted documents manifest are reported together, then exit 2", async () => {
  const manifest = join(mkdtempSync(join(tmpdir(), "start-problems-")), "manifest.json");
  writeFileSync(manifest, JSON.stringify({ invalid: "query Invalid { referralMembr }" }));
  const child = run({ PORT: "99999", TRUSTED_DOCUMENTS: manifest, EMULATOR_DB: ":memory:" });
  expect(await child.exited).toBe(2);
  expect(child.stderr().trim().split("\n")).toEqual([
    "Invalid configuration:",
    '  - PORT must be a whole number from 0 to 65535; got "99999"',
    "Invalid trusted documents (TRUSTED_DOCUMENTS):",
    expect.stringMatching(new RegExp(`^  - ${manifest}: document invalid: does not validate against the served schema: `)),
  ]);
  expect(child.stdout()).not.toContain("ready at");
});

test("production on the embedded emulator only when EMULATOR_IN_PRODUCTION=true says so: the demo data, the banner says so", async () => {
  const child = run({ NODE_ENV: "production", AUTH_DISABLED: "true", EMULATOR_IN_PRODUCTION: "true", PORT: "0", EMULATOR_DB: ":memory:" });
  try {
    const url = await readyUrl(child);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ referralMember(memberId: "WELCOME-REF") { holders { totalCount } } }' }),
    });
    expect(await response.json()).toEqual({ data: { referralMember: { holders: { totalCount: 26 } } } });
    expect(child.stdout()).toContain("Backend: embedded Voucherify emulator at http://127.0.0.1:");
  } finally {
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }
});

test("npm start's default: the embedded emulator with its demo program, authentication off and said so", async () => {
  const child = run({ PORT: "0", EMULATOR_DB: ":memory:" });
  try {
    const url = await readyUrl(child);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ referralMember(memberId: "WELCOME-REF") { holders { totalCount } } }' }),
    });
    expect(await response.json()).toEqual({ data: { referralMember: { holders: { totalCount: 26 } } } });
    // Printed with the ready line, in the same tick: it is in by the time an answer came back.
    expect(child.stdout()).toContain("Authentication: off (development, no AUTH_JWT_* key set)");
    expect(child.stdout()).toContain(`Metrics: on :${new URL(url).port}/metrics (open: development)`);
  } finally {
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }
});

describe("the banner is the only word on inline traces: no line of Apollo's at start, and traces served as the docs say", () => {
  const HOLDERS = '{ referralMember(memberId: "WELCOME-REF") { holders(first: 1) { totalCount } } }';
  const ROUTER_SECRET = "router-secret-for-the-banner-01";
  /** Whether the gateway answers a request asking for an inline trace with one. */
  async function traced(url: string, headers: Record<string, string>): Promise<boolean> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "apollo-federation-include-trace": "ftv1", ...headers },
      body: JSON.stringify({ query: HOLDERS }),
    });
    const body = (await response.json()) as { data?: unknown; extensions?: { ftv1?: unknown } };
    expect(body.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
    return typeof body.extensions?.ftv1 === "string";
  }
  test.each([
    ["development: to anyone (composition tools just work)", {}, [[{}, true]]],
    [
      "production with ROUTER_SECRET: to the router only",
      { NODE_ENV: "production", ROUTER_SECRET },
      [
        [{}, false],
        [{ "x-router-secret": ROUTER_SECRET }, true],
      ],
    ],
    ["production without ROUTER_SECRET: to nobody", { NODE_ENV: "production" }, [[{ "x-router-secret": "anything-at-all" }, false]]],
  ] as Array<[string, Record<string, string>, Array<[Record<string, string>, boolean]>]>)("%s", async (_name, env, expectations) => {
    const production: Record<string, string> =
      env.NODE_ENV === "production" ? { AUTH_DISABLED: "true", EMULATOR_IN_PRODUCTION: "true" } : {};
    const child = run({ ...env, ...production, LOG_LEVEL: "info", PORT: "0", EMULATOR_DB: ":memory:", CALLER_BUDGET_PER_MINUTE: "0" });
    try {
      const url = await readyUrl(child);
      for (const [headers, served] of expectations) expect([headers, await traced(url, headers)]).toEqual([headers, served]);
    } finally {
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    }
    // The whole output, from start to stop: the banner and the log lines, none of them Apollo's word on tracing.
    expect(child.stdout()).toContain('"msg":"gateway ready"');
    expect(child.stdout()).not.toMatch(/inline tracing/i);
    expect(child.stderr()).not.toMatch(/inline tracing/i);
  });
});

describe("production's start-up banner says where /metrics is, or that it is off", () => {
  const production = { NODE_ENV: "production", AUTH_DISABLED: "true", EMULATOR_IN_PRODUCTION: "true", PORT: "0", EMULATOR_DB: ":memory:" };
  test.each([
    ["neither METRICS_TOKEN nor METRICS_PORT", {}, () => "Metrics: off (production: set METRICS_TOKEN or METRICS_PORT)", 404],
    [
      "METRICS_TOKEN",
      { METRICS_TOKEN: "banner-metrics-token-0123" },
      (port: string) => `Metrics: on :${port}/metrics with bearer token`,
      401,
    ],
    ["METRICS_PORT", { METRICS_PORT: "0" }, () => /Metrics: on METRICS_PORT \d+\n/, 404],
  ])("%s", async (_name, env: Record<string, string>, banner: (port: string) => string | RegExp, publicStatus: number) => {
    const child = run({ ...production, ...env });
    try {
      const url = await readyUrl(child);
      const metrics = await fetch(url.replace(/\/graphql$/, "/metrics"));
      expect(metrics.status).toBe(publicStatus);
      await metrics.arrayBuffer();
      // Printed with the ready line, in the same tick: it is in by the time an answer came back.
      const expected = banner(new URL(url).port);
      if (typeof expected === "string") expect(child.stdout()).toContain(expected);
      else expect(child.stdout()).toMatch(expected);
    } finally {
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    }
  });
});

/**
 * Loaded before the gateway (`node --import`): the moment it writes its ready line, it sends itself SIGTERM, so
 * nothing can come between the two, as a supervisor's signal can on a busy machine.
 */
const SIGTERM_WHEN_READY = `data:text/javascript,${encodeURIComponent(`
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const written = write(chunk, ...rest);
  if (String(chunk).includes("ready at")) process.kill(process.pid, "SIGTERM");
  return written;
};`)}`;

describe("graceful shutdown", () => {
  let upstream: EmulatorHandle;
  beforeAll(async () => {
    upstream = await startEmulator();
  });
  afterAll(() => upstream.stop());

  test("a SIGTERM sent the moment the gateway says it is ready drains it (exit 0): it is not killed by the signal", async () => {
    const child = run({ PORT: "0", EMULATOR_DB: ":memory:" }, [], ["--import", SIGTERM_WHEN_READY]);
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toContain("Referrals gateway ready at");
  });

  test("on SIGTERM, an operation in flight still completes, then the process exits 0", async () => {
    let arrived!: () => void;
    let release!: () => void;
    const upstreamReached = new Promise<void>((resolve) => (arrived = resolve));
    // The upstream holds the list call until the test releases it, and tells the test the moment it arrives.
    upstream.injectFault({
      holdUntil: new Promise<void>((resolve) => (release = resolve)),
      times: 1,
      match: (request) => {
        const isList = request.path.endsWith("/holders");
        if (isList) arrived();
        return isList;
      },
    });
    const child = run({ PORT: "0", LOG_LEVEL: "info", ...upstreamEnv(upstream) });
    const url = await readyUrl(child);
    const shuttingDown = child.waitFor(/"msg":"shutting down"/);
    const inFlight = fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ referralMember(memberId: "WELCOME-REF") { holders(first: 3) { totalCount } } }' }),
    });
    await upstreamReached;
    child.kill("SIGTERM");
    // Only once the gateway is draining does the upstream answer: the operation must still complete.
    await shuttingDown;
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { referralMember: { holders: { totalCount: 26 } } } });
    expect(await child.exited).toBe(0);
    // And it no longer accepts connections.
    await expect(fetch(url.replace("/graphql", "/healthz"))).rejects.toThrow();
  });
});
