import { existsSync } from "node:fs";
import { launch, type Launched } from "../support/child-process.js";

// `npm run emulator` reads its settings through the same tables as the gateway (src/settings/): the same checks,
// messages and defaults, no second copy of them.
const MAIN = "dist/src/emulator/main.js";

function run(env: Record<string, string>): Launched {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
  return launch(process.execPath, [MAIN], { env });
}

const listeningUrl = async (child: Launched): Promise<string> => (await child.waitFor(/listening on (http:\/\/\S+)/))[1];

test("a bad EMULATOR_PORT stops it with the gateway's message for the same setting", async () => {
  const child = run({ EMULATOR_PORT: "70000", EMULATOR_DB: ":memory:" });
  expect(await child.exited).toBe(1);
  expect(child.stderr()).toContain('EMULATOR_PORT must be a whole number from 0 to 65535; got "70000"');
  expect(child.stdout()).not.toContain("listening");
});

test("EMULATOR_PORT, HOST, EMULATOR_DB and the EMULATOR_APP_* credentials it accepts are read from the settings", async () => {
  const child = run({
    EMULATOR_PORT: "0",
    HOST: "127.0.0.1",
    EMULATOR_DB: ":memory:",
    EMULATOR_APP_ID: "ops-id",
    EMULATOR_APP_TOKEN: "ops-token",
  });
  try {
    const url = await listeningUrl(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:4010$/);
    const call = (appId: string, appToken: string) =>
      fetch(`${url}/v1/customers/cust_unknown`, { headers: { "X-App-Id": appId, "X-App-Token": appToken } });
    expect((await call("demo-app-id", "demo-app-token")).status).toBe(401);
    expect((await call("ops-id", "ops-token")).status).toBe(404);
  } finally {
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }
});
