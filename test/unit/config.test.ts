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
      http: {
        headersTimeoutMs: 10000,
        requestTimeoutMs: 30000,
        keepAliveTimeoutMs: 65000,
        maxConnections: 1000,
        maxBufferedBodyBytes: 33554432,
      },
      corsOrigins: [],
      emulator: { port: 0, dbFile: ".data/emulator.sqlite" },
    });
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

  test("HTTP limits are read, and a request timeout shorter than the headers timeout is refused", () => {
    expect(
      loadConfig({
        HTTP_HEADERS_TIMEOUT_MS: "300",
        HTTP_REQUEST_TIMEOUT_MS: "500",
        HTTP_KEEP_ALIVE_TIMEOUT_MS: "5000",
        HTTP_MAX_CONNECTIONS: "10",
        HTTP_MAX_BUFFERED_BODY_BYTES: "65536",
      }).http,
    ).toEqual({
      headersTimeoutMs: 300,
      requestTimeoutMs: 500,
      keepAliveTimeoutMs: 5000,
      maxConnections: 10,
      maxBufferedBodyBytes: 65536,
    });
    const problems = problemsOf({ HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000", HTTP_MAX_CONNECTIONS: "0" });
    expect(problems).toEqual([
      'HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000; got "0"',
      "HTTP_REQUEST_TIMEOUT_MS (10000) must be at least HTTP_HEADERS_TIMEOUT_MS (20000): it covers the headers and the body",
    ]);
  });

  test("CORS_ORIGINS: exact origins, duplicates dropped; anything else is named with what to write instead", () => {
    const origins = " https://app.example.com, http://127.0.0.1:5173,https://app.example.com";
    expect(loadConfig({ CORS_ORIGINS: origins }).corsOrigins).toEqual([
      "https://app.example.com",
      "http://127.0.0.1:5173",
    ]);
    const bad = [
      "*",
      "https://app.example.com/",
      "https://App.Example.com",
      "app.example.com",
      "ftp://x.example.com",
      "https://a.example.com/graphql",
      "null",
    ];
    expect(problemsOf({ CORS_ORIGINS: bad.join(",") })).toEqual([
      'CORS_ORIGINS: "*": wildcards are not accepted; list each origin',
      'CORS_ORIGINS: "https://app.example.com/" has a path, query or trailing slash; ' +
        'an origin is scheme://host[:port] only: "https://app.example.com"',
      'CORS_ORIGINS: "https://App.Example.com" is not written as browsers send it; use "https://app.example.com"',
      'CORS_ORIGINS: "app.example.com" is not an origin; expected scheme://host[:port], for example https://app.example.com',
      'CORS_ORIGINS: "ftp://x.example.com" must be an http or https origin',
      'CORS_ORIGINS: "https://a.example.com/graphql" has a path, query or trailing slash; ' +
        'an origin is scheme://host[:port] only: "https://a.example.com"',
      'CORS_ORIGINS: "null" is not an origin; expected scheme://host[:port], for example https://app.example.com',
    ]);
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
