import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { launch, readyUrl, runCommand, runScript, type Launched } from "../support/child-process.js";
import { environmentWithoutNpm, upstreamEnv } from "../support/process-env.js";
import { markdownBlocks } from "../support/markdown-blocks.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

/*
 * docs/operators/installing.md's production sequence, followed as the page writes it: its build-machine lines here
 * (`npm run test:install` has already run `npm ci`'s tree and `npm run build`), which pack dist/src, package.json and
 * package-lock.json into a tarball outside the checkout; its production lines in an empty folder (unpack,
 * `npm ci --omit=dev`); then the gateway started with node. Slow (an npm ci), so it is not part of `npm test`:
 * .ci/run runs it as its own step. The warm npm cache serves the install (`--prefer-offline`); on a fresh machine the
 * registry does.
 */
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const QUERY = '{ referralMember(memberId: "WELCOME-REF") { holders(first: 3) { totalCount } } }';

let app: string;

/** The gateway as an operator starts it: `node dist/src/main.js` in the installed copy, configured by environment. */
function startInstalledGateway(env: Record<string, string>): Launched {
  return launch(process.execPath, ["dist/src/main.js"], { cwd: app, env: { PORT: "0", LOG_LEVEL: "info", ...env } });
}

/** The page's install block: the build machine's lines, then (after a blank line) the production machine's. */
function pageSteps(): { build: string; production: string } {
  const { fences } = markdownBlocks(readFileSync("docs/operators/installing.md", "utf8"));
  const block = fences.find((fence) => fence.language === "sh" && fence.text.includes("tar czf"));
  if (!block) throw new Error("docs/operators/installing.md has no sh block with the tarball step");
  const [build, production] = block.text.split("\n\n");
  return { build, production };
}

/** The checkout's top level before and after the page's build steps: the tarball must not land there. */
const checkout: { before: string[]; after: string[] } = { before: [], after: [] };

beforeAll(async () => {
  if (!existsSync("dist/src/main.js")) throw new Error("dist/src/main.js is missing: run `npm run test:install` (it builds first).");
  const steps = pageSteps();
  const scratch = mkdtempSync(join(tmpdir(), "gateway-build-"));
  checkout.before = readdirSync(".").sort();
  // The build machine: its `npm ci` and `npm run build` are what `npm run test:install` did; mktemp writes under TMPDIR.
  const packing = steps.build
    .split("\n")
    .filter((line) => !/^npm (ci|run build)\b/.test(line))
    .join("\n");
  const printed = await runScript(packing, { env: { ...environmentWithoutNpm(), TMPDIR: scratch } });
  const tarball = printed.trim().split("\n").at(-1)!;
  checkout.after = readdirSync(".").sort();
  if (!tarball.startsWith(scratch)) throw new Error(`the build steps printed ${tarball}, not a tarball under TMPDIR`);

  // The production machine: the copied tarball in an empty folder, then the page's lines up to `npm ci --omit=dev`.
  app = mkdtempSync(join(tmpdir(), "gateway-production-"));
  copyFileSync(tarball, join(app, basename(tarball)));
  rmSync(scratch, { recursive: true, force: true });
  const installing = steps.production
    .split("\n")
    .filter((line) => /^(tar|npm) /.test(line))
    .map((line) => line.replace(/^npm ci --omit=dev\b/, "npm ci --omit=dev --prefer-offline --no-audit --no-fund"))
    .join("\n");
  await runScript(installing, { cwd: app, env: environmentWithoutNpm() });
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

test("the page's steps pack outside the checkout, and unpack and install into the service's folder, leaving no tarball", () => {
  expect(checkout.after).toEqual(checkout.before);
  expect(readdirSync(app).sort()).toEqual(["dist", "node_modules", "package-lock.json", "package.json"]);
});

test("the production install leaves out the compiler, the emulator's SQLite drivers and the pretty printer", () => {
  expect(existsSync(join(app, "node_modules/graphql"))).toBe(true);
  for (const devOnly of ["typescript", "better-sqlite3", "better-sqlite3-napi", "pino-pretty"]) {
    expect([devOnly, existsSync(join(app, "node_modules", devOnly))]).toEqual([devOnly, false]);
  }
});

test("npm run app works in the production install: a deploy job publishes from the installed gateway", async () => {
  const manifest = join(app, "manifest.json");
  writeFileSync(manifest, JSON.stringify({ installed: 'query Installed { referralMember(memberId: "x") { id } }' }));
  const create = await runCommand(
    "npm",
    ["run", "--silent", "app", "--", "create", "--name", "web", "--version", "1", "--publish", manifest],
    {
      cwd: app,
      env: { APP_DEPLOYMENTS_DIR: join(app, "registry") },
    },
  );
  expect([create.status, create.stderr]).toEqual([0, expect.any(String)]);
  expect(create.stdout).toMatch(/ published web 1: 1 document\(s\)/);
});

describe("in front of a real upstream, in production", () => {
  let upstream: EmulatorHandle;
  beforeAll(async () => {
    upstream = await startEmulator();
  });
  afterAll(() => upstream.stop());

  test("starts, answers the probes and an authenticated read, and drains to exit 0 on SIGTERM", async () => {
    const gateway = startInstalledGateway({
      NODE_ENV: "production",
      ...upstreamEnv(upstream),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
    });
    try {
      const graphqlUrl = await readyUrl(gateway);
      const base = graphqlUrl.replace(/\/graphql$/, "");

      const live = await fetch(`${base}/healthz`);
      expect([live.status, await live.json()]).toEqual([200, { status: "ok" }]);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, checks: { schema: "ok", upstream: "ok" } });

      const post = (headers: Record<string, string>) =>
        fetch(graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ query: QUERY }),
        });
      expect((await post({})).status).toBe(401);
      const read = await post(bearer(await signToken({ scope: ALL_SCOPES })));
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({ data: { referralMember: { holders: { totalCount: 26 } } } });
    } finally {
      gateway.kill("SIGTERM");
    }
    expect(await gateway.exited).toBe(0);
    // Logs are JSON lines on stdout (no pretty printer here), from "ready" through the drain to "stopped".
    const logLines = gateway
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(logLines).toEqual(expect.arrayContaining(["gateway ready", "shutting down", "stopped"]));
    expect(gateway.stderr()).toBe("");
  });

  test("`npm run serve` starts the built gateway without building it, and npm's SIGTERM reaches it: drained, exit 0", async () => {
    const gateway = launch("npm", ["run", "--silent", "serve"], {
      cwd: app,
      env: {
        ...environmentWithoutNpm(),
        PORT: "0",
        LOG_LEVEL: "info",
        NODE_ENV: "production",
        ...upstreamEnv(upstream),
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
      },
    });
    try {
      const graphqlUrl = await readyUrl(gateway);
      expect((await fetch(graphqlUrl.replace(/\/graphql$/, "/healthz"))).status).toBe(200);
    } finally {
      // To npm, not the gateway: a process manager signals the process it started. Without `exec` in the script, the
      // shell between them would die and leave the gateway running, undrained.
      gateway.kill("SIGTERM");
    }
    expect(await gateway.exited).toBe(0);
    expect(gateway.stdout()).toContain('"msg":"stopped"');
  });
});

test("without VOUCHERIFY_API_URL production refuses the emulator, which is not installed either: exit 2, both said at once", async () => {
  const gateway = startInstalledGateway({ NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET, EMULATOR_DB: ":memory:" });
  expect(await gateway.exited).toBe(2);
  expect(gateway.stderr()).toContain("NODE_ENV=production without VOUCHERIFY_API_URL would serve the embedded emulator's demo data");
  expect(gateway.stderr()).toContain("EMULATOR_IN_PRODUCTION=true");
  expect(gateway.stderr()).toContain("The embedded Voucherify emulator is not installed");
  expect(gateway.stderr()).toContain("Set VOUCHERIFY_API_URL, VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN");
  expect(gateway.stdout()).not.toContain("ready at");
});

test("EMULATOR_IN_PRODUCTION=true in a production install: the emulator is not installed, exit 2 with what to do", async () => {
  const gateway = startInstalledGateway({
    NODE_ENV: "production",
    EMULATOR_IN_PRODUCTION: "true",
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    EMULATOR_DB: ":memory:",
  });
  expect(await gateway.exited).toBe(2);
  expect(gateway.stderr()).not.toContain("would serve the embedded emulator's demo data");
  expect(gateway.stderr()).toContain("The embedded Voucherify emulator is not installed");
  expect(gateway.stdout()).not.toContain("ready at");
});

test("asked for pretty logs without pino-pretty installed, the logger writes JSON lines", async () => {
  const script =
    "import { createLogger } from './dist/src/observability/logger.js';" +
    "createLogger('info', { pretty: true }).info({ n: 1 }, 'hello');";
  const child = await runCommand(process.execPath, ["--input-type=module", "-e", script], { cwd: app });
  expect(child.status).toBe(0);
  expect(JSON.parse(child.stdout.trim())).toMatchObject({ level: 30, n: 1, msg: "hello" });
});
