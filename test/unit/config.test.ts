import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, ENVIRONMENT, loadConfig, readConfig } from "../../src/config.js";
import { ALL_SETTINGS, settingsReader } from "../../src/settings/catalogue.js";

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
      logMaxBufferedBytes: 4194304,
      maxOperationCost: 110,
      operationTimeoutMs: 30000,
      voucherify: { apiUrl: null, appId: null, appToken: null, timeoutMs: 5000, maxConcurrency: 64, allowClientCredentials: false },
      auth: { keySource: null, issuer: null, audience: null, routerSecret: null, callerBudgetPerMinute: 600 },
      metrics: { token: null, port: null, served: "public-port" },
      http: {
        headersTimeoutMs: 10000,
        requestTimeoutMs: 30000,
        keepAliveTimeoutMs: 65000,
        maxConnections: 1000,
        maxBufferedBodyBytes: 33554432,
      },
      corsOrigins: [],
      emulator: { port: 0, dbFile: ".data/emulator.sqlite", embedded: true, inProduction: false },
      sharedState: {
        redisUrl: null,
        redisSentinel: null,
        redisTimeoutMs: 100,
        holdersTtlMs: 5000,
        customersTtlMs: 60000,
        quotaPerMinute: null,
        memoryMaxEntries: 10000,
        memoryMaxBytes: 67108864,
        answersMaxBytes: 33554432,
      },
      tracing: null,
      trustedDocuments: { manifests: [], only: false, appDeploymentsDir: ".data/app-deployments" },
    });
  });

  test("the embedded emulator runs only without VOUCHERIFY_API_URL: a bad URL is a problem, never a fall back to the demo data", () => {
    expect(loadConfig({ EMULATOR_IN_PRODUCTION: "true" }).emulator).toMatchObject({ embedded: true, inProduction: true });
    const { config, problems } = readConfig({ VOUCHERIFY_API_URL: "ftp://api.voucherify.io", EMULATOR_IN_PRODUCTION: "maybe" });
    expect(config.emulator).toMatchObject({ embedded: false, inProduction: false });
    expect(problems).toEqual([
      "VOUCHERIFY_API_URL must be an http or https URL",
      "VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_ID is missing",
      "VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_TOKEN is missing",
      'EMULATOR_IN_PRODUCTION must be true or false; got "maybe"',
    ]);
  });

  test("trusted documents: manifest paths (comma-separated, each once) and safelisting; an empty entry is refused", () => {
    const config = loadConfig({
      TRUSTED_DOCUMENTS: " a.json, dir/b.json ,a.json",
      TRUSTED_DOCUMENTS_ONLY: "true",
      APP_DEPLOYMENTS_DIR: "/srv/gateway/apps",
    });
    expect(config.trustedDocuments).toEqual({ manifests: ["a.json", "dir/b.json"], only: true, appDeploymentsDir: "/srv/gateway/apps" });
    expect(problemsOf({ TRUSTED_DOCUMENTS: "a.json,,b.json", TRUSTED_DOCUMENTS_ONLY: "sometimes" })).toEqual([
      'TRUSTED_DOCUMENTS has an empty entry; got "a.json,,b.json"',
      'TRUSTED_DOCUMENTS_ONLY must be true or false; got "sometimes"',
    ]);
  });

  test("shared state: Redis URL, cache TTLs (0 = off) and the plan's quota; a bad Redis URL is refused, never echoed", () => {
    const config = loadConfig({ REDIS_URL: "redis://:pw@127.0.0.1:6390/2", CACHE_HOLDERS_TTL_MS: "0", VOUCHERIFY_QUOTA_PER_MINUTE: "100" });
    expect(config.sharedState).toMatchObject({
      redisUrl: "redis://:pw@127.0.0.1:6390/2",
      holdersTtlMs: 0,
      customersTtlMs: 60000,
      quotaPerMinute: 100,
    });
    const problems = problemsOf({ REDIS_URL: "http://secret@host", VOUCHERIFY_QUOTA_PER_MINUTE: "lots" });
    expect(problems).toEqual([
      "REDIS_URL must be a redis:// or rediss:// URL",
      'VOUCHERIFY_QUOTA_PER_MINUTE must be a whole number from 1 to 10000000; got "lots"',
    ]);
    expect(problems.join("\n")).not.toContain("secret");
  });

  test("Redis through Sentinel: the sentinels' addresses and the master's name, both or neither, never with REDIS_URL", () => {
    const config = loadConfig({ REDIS_SENTINELS: "10.0.0.1:26379, sentinel-b:26380,[::1]:26381", REDIS_SENTINEL_MASTER: "mymaster" });
    expect(config.sharedState).toMatchObject({
      redisUrl: null,
      redisSentinel: {
        sentinels: [
          { host: "10.0.0.1", port: 26379 },
          { host: "sentinel-b", port: 26380 },
          { host: "::1", port: 26381 },
        ],
        masterName: "mymaster",
      },
    });
    const withPasswords = loadConfig({
      REDIS_SENTINELS: "10.0.0.1:26379",
      REDIS_SENTINEL_MASTER: "mymaster",
      REDIS_PASSWORD: "redis-secret",
      REDIS_SENTINEL_PASSWORD: "sentinel-secret",
    });
    expect(withPasswords.sharedState.redisSentinel).toMatchObject({ password: "redis-secret", sentinelPassword: "sentinel-secret" });
    const misplaced = problemsOf({
      REDIS_URL: "redis://r:6379/0",
      REDIS_PASSWORD: "redis-secret",
      REDIS_SENTINEL_PASSWORD: "sentinel-secret",
    });
    expect(misplaced).toEqual([
      "REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS",
      "REDIS_PASSWORD is for Redis through Sentinel (REDIS_SENTINELS); with REDIS_URL, put it in the URL: redis://:password@host:port/db",
    ]);
    expect(misplaced.join("\n")).not.toContain("secret");
    expect(problemsOf({ REDIS_SENTINELS: "10.0.0.1:26379" })).toEqual([
      "REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together: set both (Redis through Sentinel) or neither",
    ]);
    expect(problemsOf({ REDIS_SENTINEL_MASTER: "mymaster" })).toHaveLength(1);
    expect(problemsOf({ REDIS_SENTINELS: "a:1,b,c:99999,:5,d:26379", REDIS_SENTINEL_MASTER: "m", REDIS_URL: "redis://r:6379/0" })).toEqual([
      "Set REDIS_URL (one Redis) or REDIS_SENTINELS (Redis through Sentinel), not both",
      'REDIS_SENTINELS must be comma-separated host:port (port 1-65535); got "b"',
      'REDIS_SENTINELS must be comma-separated host:port (port 1-65535); got "c:99999"',
      'REDIS_SENTINELS must be comma-separated host:port (port 1-65535); got ":5"',
    ]);
  });

  test("metrics protection: a token and a port of its own", () => {
    expect(loadConfig({ METRICS_TOKEN: "s3cret-metrics-token", METRICS_PORT: "9464" }).metrics).toEqual({
      token: "s3cret-metrics-token",
      port: 9464,
      served: "own-port",
    });
    expect(loadConfig({ METRICS_PORT: "0" }).metrics.port).toBe(0);
  });

  test("production serves /metrics on PORT only with a token, on METRICS_PORT, or not at all", () => {
    const production = { NODE_ENV: "production", AUTH_DISABLED: "true" };
    expect(loadConfig(production).metrics.served).toBe("off");
    expect(loadConfig({ ...production, METRICS_TOKEN: "s3cret-metrics-token" }).metrics.served).toBe("public-port");
    expect(loadConfig({ ...production, METRICS_PORT: "9464" }).metrics.served).toBe("own-port");
    expect(loadConfig({ METRICS_TOKEN: "s3cret-metrics-token" }).metrics.served).toBe("public-port");
  });

  test("a bad metrics token or port is refused, and the token is never echoed", () => {
    const problems = problemsOf({ METRICS_TOKEN: "short secret", METRICS_PORT: "4000", PORT: "4000" });
    expect(problems).toEqual([
      "METRICS_TOKEN must be 16 to 512 visible ASCII characters (no spaces)",
      "METRICS_PORT must differ from PORT; both are 4000",
    ]);
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
    const env = { NODE_ENV: "production", AUTH_DISABLED: "true" };
    expect(loadConfig(env)).toMatchObject({ production: true, introspection: false, landingPage: false });
    expect(loadConfig({ ...env, GRAPHQL_INTROSPECTION: "true" })).toMatchObject({ introspection: true, landingPage: false });
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
    const problems = problemsOf({
      VOUCHERIFY_API_URL: "https://user:s3cret@api.voucherify.io",
      VOUCHERIFY_APP_ID: "a",
      VOUCHERIFY_APP_TOKEN: "b",
    });
    expect(problems).toEqual(["VOUCHERIFY_API_URL must not carry credentials; use VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN"]);
  });

  test("client credentials mode needs no server credentials", () => {
    expect(loadConfig({ VOUCHERIFY_API_URL: "https://api.voucherify.io", ALLOW_CLIENT_CREDENTIALS: "true" }).voucherify).toMatchObject({
      appId: null,
      appToken: null,
      allowClientCredentials: true,
    });
  });

  describe("authentication", () => {
    const SECRET = "a-development-secret-of-32-chars!";

    test("production refuses to start without a key source, in one message, unless AUTH_DISABLED=true", () => {
      const problems = problemsOf({ NODE_ENV: "production" });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^NODE_ENV=production needs to know who is calling: set AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY or AUTH_JWT_SECRET/,
      );
      expect(problemsOf({ NODE_ENV: "production", AUTH_DISABLED: "true" })).toEqual([]);
      expect(loadConfig({ NODE_ENV: "production", AUTH_JWT_SECRET: SECRET }).auth.keySource).toEqual({ kind: "secret", secret: SECRET });
    });

    test("development without keys runs with authentication off", () => {
      expect(loadConfig({}).auth.keySource).toBeNull();
    });

    test("each key source is checked, and only one may be set", () => {
      expect(problemsOf({ AUTH_JWT_SECRET: "short" })).toEqual(["AUTH_JWT_SECRET must be at least 32 characters"]);
      expect(problemsOf({ AUTH_JWT_PUBLIC_KEY: "not a key" })).toEqual(["AUTH_JWT_PUBLIC_KEY is not a PEM public key"]);
      expect(problemsOf({ AUTH_JWT_JWKS_URL: "http://keys.example.com/jwks.json" })).toEqual([
        "AUTH_JWT_JWKS_URL must be https (plain http only on loopback)",
      ]);
      expect(problemsOf({ AUTH_JWT_JWKS_URL: "http://127.0.0.1:9/jwks.json" })).toEqual([]);
      expect(problemsOf({ AUTH_JWT_JWKS_URL: "https://keys.example.com/jwks.json", AUTH_JWT_SECRET: SECRET })).toEqual([
        "Set only one of AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY, AUTH_JWT_SECRET; got AUTH_JWT_JWKS_URL and AUTH_JWT_SECRET",
      ]);
      expect(problemsOf({ AUTH_DISABLED: "true", AUTH_JWT_SECRET: SECRET })).toEqual([
        "AUTH_DISABLED=true contradicts AUTH_JWT_SECRET: remove one",
      ]);
    });

    test("a PEM on one line with \\n escapes is accepted", async () => {
      const { generateKeyPairSync } = await import("node:crypto");
      const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
      const config = loadConfig({ AUTH_JWT_PUBLIC_KEY: pem.replace(/\n/g, "\\n") });
      expect(config.auth.keySource).toEqual({ kind: "publicKey", pem });
    });

    test("the caller budget must fit the largest allowed operation; 0 turns it off", () => {
      expect(problemsOf({ CALLER_BUDGET_PER_MINUTE: "50" })).toEqual([
        "CALLER_BUDGET_PER_MINUTE (50) is below GRAPHQL_MAX_COST (110): the largest allowed operation could never run",
      ]);
      expect(loadConfig({ CALLER_BUDGET_PER_MINUTE: "0" }).auth.callerBudgetPerMinute).toBe(0);
      expect(problemsOf({ ROUTER_SECRET: "short" })).toEqual(["ROUTER_SECRET must be at least 16 characters"]);
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
    expect(loadConfig({ CORS_ORIGINS: origins }).corsOrigins).toEqual(["https://app.example.com", "http://127.0.0.1:5173"]);
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
});

test(".env.example names every variable the gateway reads", async () => {
  const { readFileSync } = await import("node:fs");
  const example = readFileSync(".env.example", "utf8");
  for (const { name } of ENVIRONMENT) expect(example).toMatch(new RegExp(`^#? ?${name}=`, "m"));
});

/**
 * The environment variables a source text reads: `process.env.X`, `env.X`, `env["X"]`, `process.env["X"]`, and the settings reader's
 * `read("X")`, `isSet("X")` and `raw("X")`.
 */
function variablesRead(source: string): string[] {
  const patterns = [
    /\bprocess\.env\.([A-Z][A-Z0-9_]*)/g,
    /(?<![.\w])env\.([A-Z][A-Z0-9_]*)/g,
    /(?:\bprocess\.|(?<![.\w]))env\[\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\]/g,
    /\.(?:read|isSet|raw)\(\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith(".ts") ? [file] : [];
  });
}

describe("the settings tables and the code agree", () => {
  const declared = new Set(Object.keys(ALL_SETTINGS));
  const reads = sourceFiles("src").flatMap((file) => variablesRead(readFileSync(file, "utf8")).map((name) => ({ file, name })));

  test("the scan sees every way of reading a variable (sanity)", () => {
    expect(
      variablesRead(
        'process.env.A_1; env.B; env["C"]; process.env["G"]; ' +
          'settings.read("D"); settings.isSet( "E" ); settings.raw(`F`); reader.read(name)',
      ),
    ).toEqual(["A_1", "B", "C", "G", "D", "E", "F"]);
    expect(reads.map(({ name }) => name)).toEqual(expect.arrayContaining(["PORT", "EMULATOR_APP_ID", "OTEL_TRACES_SAMPLER"]));
  });

  test("every variable the code reads is declared in a table of src/settings/", () => {
    expect(reads.filter(({ name }) => !declared.has(name)).map(({ file, name }) => `${file}: ${name}`)).toEqual([]);
  });

  test("every declared setting is read somewhere (a table entry nothing reads is documentation of nothing)", () => {
    const read = new Set(reads.map(({ name }) => name));
    expect([...declared].filter((name) => !read.has(name))).toEqual([]);
  });

  test("every setting is documented: --help's table names each once", () => {
    expect(ENVIRONMENT.map(({ name }) => name).sort()).toEqual([...declared].sort());
  });

  test("a name no table declares throws at once: a typo cannot read undefined in silence", () => {
    const settings = settingsReader({ PROT: "4001" });
    expect(() => settings.read("PROT" as never)).toThrow("Unknown setting PROT: declare it in a table of src/settings/");
    expect(() => settings.isSet("PROT" as never)).toThrow(/Unknown setting PROT/);
    expect(settings.read("PORT")).toBe(4000);
  });

  test("a bad value is a problem and reads as the default; an unset one reads as the default, or null without one", () => {
    const settings = settingsReader({ PORT: "x", CORS_ORIGINS: "  " });
    expect(settings.read("PORT")).toBe(4000);
    expect(settings.read("CORS_ORIGINS")).toBeNull();
    expect(settings.read("METRICS_PORT")).toBeNull();
    expect(settings.problems).toEqual(['PORT must be a whole number from 0 to 65535; got "x"']);
  });
});
