import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEVELOPMENT_JWT_SECRET } from "../../src/config.js";
import { launch, readyUrl, runCommand } from "../support/child-process.js";

// The scripts a newcomer types, run as npm runs them: `npm run serve` (what `npm start` runs after building) with and
// without a .env, `npm run token`'s usage and mistakes, and `npm run emulator:reset`. The build comes from `npm test`.

const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
let dir: string;

beforeEach(() => {
  if (!existsSync("dist/src/main.js")) throw new Error("dist/src/main.js is missing: run `npm run build` first (npm test does).");
  // A folder of its own (so no developer's .env is read), with the project's serve script and its build.
  dir = mkdtempSync(join(tmpdir(), "npm-scripts-"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scripts-under-test", private: true, scripts: { serve: scripts.serve } }),
  );
  symlinkSync(resolve("dist"), join(dir, "dist"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function serveBanner(env: Record<string, string> = {}): Promise<string> {
  const child = launch("npm", ["run", "--silent", "serve"], { cwd: dir, env });
  try {
    await readyUrl(child);
    // The banner's last line is Metrics: wait for it, not for a time.
    await child.waitFor(/Metrics: /);
    return child.stdout();
  } finally {
    expect(await child.stop("SIGTERM")).toBe(0);
  }
}

describe(".env", () => {
  test("npm start and npm run serve load a .env beside package.json; the environment wins over it", async () => {
    writeFileSync(
      join(dir, ".env"),
      [
        "# as copied from .env.example, then edited",
        "PORT=0",
        "EMULATOR_DB=:memory:",
        "LOG_LEVEL=warn",
        `AUTH_JWT_SECRET=${DEVELOPMENT_JWT_SECRET}`,
        "GRAPHQL_LANDING_PAGE=false",
        "",
      ].join("\n"),
    );
    const banner = await serveBanner({ GRAPHQL_LANDING_PAGE: "true" });
    expect(banner).toContain("Authentication: bearer JWTs verified with an HS256 secret");
    expect(banner).toContain("Explore it in Apollo Sandbox");
  });

  test("without a .env they start all the same", async () => {
    const banner = await serveBanner({ PORT: "0", EMULATOR_DB: ":memory:", LOG_LEVEL: "warn" });
    expect(banner).toContain("Authentication: off (development, no AUTH_JWT_* key set)");
  });
});

describe("npm run token", () => {
  const token = (args: string[], env: Record<string, string> = {}) =>
    runCommand(process.execPath, [resolve("dist/src/tools/mint-token.js"), ...args], { cwd: dir, env });

  test("--help prints the usage and exits 0", async () => {
    const result = await token(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run -s token -- \[options\]/);
    expect(result.stderr).toBe("");
  });

  test("an unknown option: one line on stderr, exit 2, no stack trace", async () => {
    const result = await token(["--scopes", "referrals:read"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("Unknown option '--scopes'; see npm run token -- --help\n");
    expect(result.stdout).toBe("");
  });

  test("without AUTH_JWT_SECRET: a token on stdout alone, the development secret named on stderr", async () => {
    const result = await token(["--sub", "alice"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(result.stderr).toContain("signed with the development secret");
  });
});

describe("npm run emulator:reset", () => {
  const reset = (env: Record<string, string>) =>
    runCommand(process.execPath, [resolve("dist/src/tools/reset-emulator-data.js")], { cwd: dir, env });

  test("deletes the SQLite file and its WAL files, and says so", async () => {
    for (const suffix of ["", "-wal", "-shm"]) writeFileSync(join(dir, `emulator.sqlite${suffix}`), "x");
    const result = await reset({ EMULATOR_DB: "emulator.sqlite" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Deleted emulator.sqlite, emulator.sqlite-wal, emulator.sqlite-shm");
    for (const suffix of ["", "-wal", "-shm"]) expect(existsSync(join(dir, `emulator.sqlite${suffix}`))).toBe(false);
  });

  test("reads the default file when EMULATOR_DB is unset, and has nothing to do for :memory:", async () => {
    const unset = await reset({});
    expect(unset.status).toBe(0);
    expect(unset.stdout).toContain("No emulator data at .data/emulator.sqlite");
    const memory = await reset({ EMULATOR_DB: ":memory:" });
    expect(memory.status).toBe(0);
    expect(memory.stdout).toContain("nothing to reset");
  });
});
