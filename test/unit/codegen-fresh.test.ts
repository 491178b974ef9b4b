import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// test/generated/ is committed so that tests (and readers) use typed documents without a codegen step first.
// This regenerates every output of codegen.yml in memory and fails when a committed file is stale.
//
// Codegen runs in a child `node`, not inside jest: its plugins are loaded with require() of ESM-only packages
// (auto-bind), which jest's module runtime refuses. `generate(config, false)` returns the outputs without writing.
const REGENERATE = `
import { generate, loadCodegenConfig } from "@graphql-codegen/cli";
const { config } = await loadCodegenConfig({ configFilePath: "codegen.yml" });
const run = () => generate({ ...config, cwd: process.cwd(), silent: true }, false);
const [first, second] = [await run(), await run()];
process.stdout.write(JSON.stringify({ first, second }));
`;

interface Output {
  filename: string;
  content: string;
}

describe("typed operations are up to date (run `npm run codegen:operations`)", () => {
  let generated: { first: Output[]; second: Output[] };

  beforeAll(() => {
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", REGENERATE], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    });
    generated = JSON.parse(stdout) as typeof generated;
  });

  test("codegen.yml has exactly the committed outputs under test/generated/", () => {
    expect(generated.first.map((o) => o.filename).sort()).toEqual(["test/generated/operations.ts"]);
  });

  test.each(["test/generated/operations.ts"])("%s equals what codegen produces now", (file) => {
    const fresh = generated.first.find((o) => o.filename === file);
    expect(readFileSync(file, "utf8")).toBe(fresh?.content);
  });

  test("generation is deterministic: two runs give the same bytes (no timestamps)", () => {
    expect(generated.second).toEqual(generated.first);
  });
});
