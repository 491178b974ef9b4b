import { ConfigError, ENVIRONMENT, loadConfig } from "../../src/config.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  test("defaults: embedded emulator, loopback, development", () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: "127.0.0.1",
      production: false,
      introspection: true,
      landingPage: true,
      logLevel: "info",
      maxOperationCost: 600,
      operationTimeoutMs: 30000,
      voucherify: { apiUrl: null, appId: null, appToken: null, timeoutMs: 5000, maxConcurrency: 64, allowClientCredentials: false },
      metrics: { token: null, port: null },
      emulator: { port: 0, dbFile: ".data/emulator.sqlite" },
    });
  });

  test("metrics protection: a token and a port of its own", () => {
    expect(loadConfig({ METRICS_TOKEN: "s3cret-metrics-token", METRICS_PORT: "9464" }).metrics).toEqual({ token: "s3cret-metrics-token", port: 9464 });
    expect(loadConfig({ METRICS_PORT: "0" }).metrics.port).toBe(0);
  });

  test("a bad metrics token or port is refused, and the token is never echoed", () => {
    const problems = problemsOf({ METRICS_TOKEN: "short secret", METRICS_PORT: "4000", PORT: "4000" });
    expect(problems).toEqual(["METRICS_TOKEN must be 16 to 512 visible ASCII characters (no spaces)", "METRICS_PORT must differ from PORT; both are 4000"]);
    expect(problems.join("\n")).not.toContain("short secret");
    expect(problemsOf({ METRICS_PORT: "http" })).toEqual(['METRICS_PORT must be a whole number from 0 to 65535; got "http"']);
  });

  test("a real upstream with credentials", () => {
    const config = loadConfig({
      VOUCHERIFY_API_URL: "https://api.voucherify.io/",
      VOUCHERIFY_APP_ID: "id",
      VOUCHERIFY_APP_TOKEN: "token",
      VOUCHERIFY_TIMEOUT_MS: "2500",
    });
    expect(config.voucherify).toMatchObject({ apiUrl: "https://api.voucherify.io", appId: "id", appToken: "token", timeoutMs: 2500 });
  });

  test("production turns introspection and the landing page off unless asked for", () => {
    expect(loadConfig({ NODE_ENV: "production" })).toMatchObject({ production: true, introspection: false, landingPage: false });
    expect(loadConfig({ NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" })).toMatchObject({ introspection: true, landingPage: false });
  });

  test("one clear message per bad value, all reported at once", () => {
    expect(
      problemsOf({
        PORT: "http",
        VOUCHERIFY_API_URL: "not a url",
        VOUCHERIFY_APP_ID: "id",
        VOUCHERIFY_TIMEOUT_MS: "-5",
        VOUCHERIFY_MAX_CONCURRENCY: "0",
        ALLOW_CLIENT_CREDENTIALS: "maybe",
        LOG_LEVEL: "loud",
        EMULATOR_PORT: "70000",
      }),
    ).toEqual([
      'VOUCHERIFY_API_URL is not a URL; got "not a url"',
      'ALLOW_CLIENT_CREDENTIALS must be true or false; got "maybe"',
      "VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_TOKEN is missing",
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
      'PORT must be a whole number from 0 to 65535; got "http"',
      'VOUCHERIFY_TIMEOUT_MS must be a whole number from 100 to 120000; got "-5"',
      'VOUCHERIFY_MAX_CONCURRENCY must be a whole number from 1 to 1024; got "0"',
      'EMULATOR_PORT must be a whole number from 0 to 65535; got "70000"',
    ]);
  });

  test("credentials in the URL are refused, and the message does not repeat them", () => {
    const problems = problemsOf({ VOUCHERIFY_API_URL: "https://user:s3cret@api.voucherify.io", VOUCHERIFY_APP_ID: "a", VOUCHERIFY_APP_TOKEN: "b" });
    expect(problems).toEqual(["VOUCHERIFY_API_URL must not carry credentials; use VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN"]);
  });

  test("client credentials mode needs no server credentials", () => {
    expect(loadConfig({ VOUCHERIFY_API_URL: "https://api.voucherify.io", ALLOW_CLIENT_CREDENTIALS: "true" }).voucherify).toMatchObject({
      appId: null,
      appToken: null,
      allowClientCredentials: true,
    });
  });

  test("every variable read is documented", () => {
    const names = ENVIRONMENT.map((variable) => variable.name);
    for (const name of ["PORT", "HOST", "VOUCHERIFY_API_URL", "VOUCHERIFY_APP_ID", "VOUCHERIFY_APP_TOKEN", "VOUCHERIFY_TIMEOUT_MS", "EMULATOR_PORT", "EMULATOR_DB", "NODE_ENV", "LOG_LEVEL"]) {
      expect(names).toContain(name);
    }
  });
});

test(".env.example names every variable the gateway reads", async () => {
  const { readFileSync } = await import("node:fs");
  const example = readFileSync(".env.example", "utf8");
  for (const { name } of ENVIRONMENT) expect(example).toMatch(new RegExp(`^#? ?${name}=`, "m"));
});
