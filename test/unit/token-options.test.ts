import { readFileSync } from "node:fs";
import { DEVELOPMENT_JWT_SECRET, loadConfig } from "../../src/config.js";
import { DEFAULT_SCOPE, parseTokenCommand, TOKEN_USAGE } from "../../src/tools/token-options.js";

// `npm run token`: usage instead of a stack trace, one line for a mistake, and defaults the gateway accepts.

test("--help and -h ask for the usage, which states every default", () => {
  expect(parseTokenCommand(["--help"], {})).toEqual({ kind: "help" });
  expect(parseTokenCommand(["-h"], {})).toEqual({ kind: "help" });
  for (const text of ["developer", DEFAULT_SCOPE, "3600", DEVELOPMENT_JWT_SECRET]) expect(TOKEN_USAGE).toContain(text);
});

test("an unknown option or a stray argument is refused in one line naming it", () => {
  const unknown = parseTokenCommand(["--scopes", "referrals:read"], {});
  expect(unknown).toEqual({ kind: "refused", problem: "Unknown option '--scopes'; see npm run token -- --help" });
  const stray = parseTokenCommand(["alice"], {});
  expect(stray.kind).toBe("refused");
  expect(stray.kind === "refused" && stray.problem).toMatch(/^Unexpected argument 'alice'.*--help$/);
});

test("without AUTH_JWT_SECRET it signs with the development secret, which a development gateway accepts", () => {
  const command = parseTokenCommand([], {});
  expect(command).toEqual({
    kind: "sign",
    request: expect.objectContaining({ secret: DEVELOPMENT_JWT_SECRET, defaultSecret: true, subject: "developer", scope: DEFAULT_SCOPE }),
  });
  expect(loadConfig({ AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET }).auth.keySource).toEqual({
    kind: "secret",
    secret: DEVELOPMENT_JWT_SECRET,
  });
});

test("production refuses the documented development secret", () => {
  expect(() => loadConfig({ NODE_ENV: "production", AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toThrow(/documented development secret/);
});

test("a secret the gateway would refuse is refused here too, and a bad --ttl", () => {
  expect(parseTokenCommand([], { AUTH_JWT_SECRET: "too-short" })).toEqual({
    kind: "refused",
    problem: "AUTH_JWT_SECRET must be at least 32 characters (the gateway refuses a shorter one)",
  });
  expect(parseTokenCommand(["--ttl", "1h"], {})).toEqual({ kind: "refused", problem: '--ttl must be a whole number of seconds; got "1h"' });
});

test("options and the environment reach the request", () => {
  const secret = "x".repeat(32);
  const command = parseTokenCommand(["--sub", "shop", "--scope", "referrals:read", "--members", "WELCOME-REF, OTHER-REF", "--ttl", "60"], {
    AUTH_JWT_SECRET: secret,
    AUTH_JWT_ISSUER: "https://login.example.com/",
  });
  expect(command).toEqual({
    kind: "sign",
    request: {
      secret,
      defaultSecret: false,
      subject: "shop",
      scope: "referrals:read",
      members: ["WELCOME-REF", "OTHER-REF"],
      ttlSeconds: 60,
      issuer: "https://login.example.com/",
      audience: null,
    },
  });
});

test("docs/operators/authentication.md shows this usage verbatim, and its worked example starts the gateway with the same secret", () => {
  const page = readFileSync("docs/operators/authentication.md", "utf8");
  expect(page).toContain("```\n" + TOKEN_USAGE + "```\n");
  expect(page).toContain(`export AUTH_JWT_SECRET=${DEVELOPMENT_JWT_SECRET}\n`);
});
