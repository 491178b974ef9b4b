import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, runCommand } from "../support/child-process.js";

// Trusted documents as operators and frontend CI meet them, through the compiled entry points (`npm test` builds
// first): the gateway refuses to start on a bad manifest (exit 2, one line per problem naming the file, the id and
// the reason), `npm run documents:check` makes the same checks without starting, and the banner counts them.

const MAIN = "dist/src/main.js";
const CHECK = "dist/src/tools/check-documents.js";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const GOOD = 'query Good { referralMember(memberId: "WELCOME-REF") { holders(first: 1) { totalCount } } }';
const dir = mkdtempSync(join(tmpdir(), "trusted-documents-process-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}
const good = file("good.json", {
  format: "apollo-persisted-query-manifest",
  version: 1,
  operations: [{ id: sha256(GOOD), name: "Good", type: "query", body: GOOD }],
});
const wrongHash = "0".repeat(64);
const bad = file("bad.json", {
  [`sha256:${wrongHash}`]: GOOD,
  invalid: "query Invalid { referralMembr }",
  expensive: 'query Expensive { referralMember(memberId: "x") { holders(first: 500) { nodes { customer { name } } } } }',
});
const clash = file("clash.json", { invalid: GOOD });
const BAD_LINES = [
  `${bad}: document sha256:${wrongHash}: the id is a sha256 but not the sha256 of the document's body (${sha256(GOOD)})`,
  `${bad}: document invalid: does not validate against the served schema: Cannot query field "referralMembr" on type "Query". ` +
    'Did you mean "referralMember"?',
  `${bad}: document expensive: costs at least 505 upstream calls whatever its variables; GRAPHQL_MAX_COST is 110`,
  `${clash}: document invalid: the id names two different documents (the other in ${bad})`,
  `${join(dir, "missing.json")}: no such file`,
];

const env = (extra: Record<string, string>) => ({ LOG_LEVEL: "warn", PORT: "0", EMULATOR_DB: ":memory:", ...extra });

beforeAll(() => {
  for (const entry of [MAIN, CHECK])
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does).`);
});

test("a bad manifest refuses the start: exit 2 before listening, one line per problem naming the file, the id and the reason", async () => {
  const result = await runCommand(process.execPath, [MAIN], {
    env: env({ TRUSTED_DOCUMENTS: `${good},${bad},${clash},${join(dir, "missing.json")}` }),
  });
  expect(result.status).toBe(2);
  expect(result.stdout).not.toContain("ready at");
  expect(result.stderr.trim().split("\n")).toEqual([
    "Invalid trusted documents (TRUSTED_DOCUMENTS):",
    ...BAD_LINES.map((line) => `  - ${line}`),
  ]);
});

test("npm run documents:check: the same problems, one line each, exit 2; without starting anything", async () => {
  const result = await runCommand(process.execPath, [CHECK, good, bad, clash, join(dir, "missing.json")], { env: env({}) });
  expect(result.status).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines.slice(0, -1)).toEqual(BAD_LINES);
  expect(lines.at(-1)).toMatch(/^5 problem\(s\): the gateway would refuse to start/);
});

test("npm run documents:check on good manifests: exit 0 and a summary; GRAPHQL_MAX_COST as the gateway reads it", async () => {
  const ok = await runCommand(process.execPath, [CHECK, good], { env: env({}) });
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(
    /^OK: 1 document\(s\) from 1 manifest\(s\) .*GRAPHQL_MAX_COST \(110\); 6 trusted with the shipped operations\.$/m,
  );
  // Two chained upstream pages: fine at the default, over a GRAPHQL_MAX_COST of 1 (which the shipped operations, held
  // to no cost at start, survive).
  const pages = file("pages.json", { pages: 'query Pages { referralMember(memberId: "x") { holders(first: 150) { totalCount } } }' });
  expect((await runCommand(process.execPath, [CHECK, pages], { env: env({}) })).status).toBe(0);
  const tight = await runCommand(process.execPath, [CHECK, good, pages], { env: env({ GRAPHQL_MAX_COST: "1" }) });
  expect(tight.status).toBe(2);
  expect(tight.stderr.split("\n")[0]).toBe(
    `${pages}: document pages: costs at least 2 upstream calls whatever its variables; GRAPHQL_MAX_COST is 1`,
  );
  // Above the default caller budget: the gateway would ask for a budget to match, the check only needs the cost.
  const generous = await runCommand(process.execPath, [CHECK, good, pages], { env: env({ GRAPHQL_MAX_COST: "1000" }) });
  expect(generous.stderr).toBe("");
  expect(generous.stdout).toContain("GRAPHQL_MAX_COST (1000)");
  expect(generous.status).toBe(0);
  const invalid = await runCommand(process.execPath, [CHECK, good], { env: env({ GRAPHQL_MAX_COST: "lots" }) });
  expect(invalid.status).toBe(2);
  expect(invalid.stderr).toContain('GRAPHQL_MAX_COST must be a whole number from 1 to 100000; got "lots"');
  const usage = await runCommand(process.execPath, [CHECK], { env: env({}) });
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/^Usage: npm run documents:check -- <manifest\.json>/);
});

test("the banner counts the trusted documents and says whether safelisting is on", async () => {
  const child = launch(process.execPath, [MAIN], { env: env({ TRUSTED_DOCUMENTS: good, TRUSTED_DOCUMENTS_ONLY: "true" }) });
  try {
    const [banner] = await child.waitFor(/^Trusted documents: .*$/m);
    expect(banner).toBe("Trusted documents: 6 (1 from manifests); safelisting on: other documents are refused (the router excepted)");
  } finally {
    await child.stop();
  }
});
