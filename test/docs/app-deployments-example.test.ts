import { jest } from "@jest/globals";
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCommand } from "../support/child-process.js";
import { blocksUnder } from "../support/markdown-blocks.js";

// docs/frontend/trusted-documents.md's worked example is copy-paste complete: its shell blocks run here as written, in
// order, in a copy of the checkout's example apps (the build and node_modules linked), each to exit 0; then the
// registry holds what the page says, and the page's `list` sample is what `list` printed.

const SECTION = blocksUnder(readFileSync("docs/frontend/trusted-documents.md", "utf8"), "A worked example with each client tool");
const blocks = (language: string) => SECTION.filter((block) => block.language === language).map((block) => block.text);

const bash = (script: string, cwd: string) => runCommand("bash", ["-e", "-c", script], { cwd });

// Three client tools' generators and seven commands, each a process: a few seconds of CPU, longer on a busy machine.
jest.setTimeout(180_000);

test("the worked example's commands run as written and leave the registry the page describes", async () => {
  const commands = blocks("sh");
  expect(commands.length).toBeGreaterThanOrEqual(4);
  const checkout = mkdtempSync(join(tmpdir(), "app-deployments-example-"));
  for (const file of ["package.json", "relay.persisted.config.json"]) cpSync(file, join(checkout, file));
  for (const dir of ["test/relay", "test/documents"]) cpSync(dir, join(checkout, dir), { recursive: true });
  for (const dir of ["node_modules", "dist", "schema"]) symlinkSync(resolve(dir), join(checkout, dir));

  const outputs: string[] = [];
  for (const script of commands) {
    const result = await bash(script, checkout);
    if (result.status !== 0) throw new Error(`exit ${result.status}:\n${script}\n${result.stdout}\n${result.stderr}`);
    outputs.push(result.stdout);
  }
  // The page's `list` sample, dates and actor aside, is what the deploy block's `list` printed.
  const [sample] = blocks("");
  const columns = (text: string) =>
    text
      .trim()
      .split("\n")
      .filter((line) => !line.startsWith("Registry:"))
      .map((line) =>
        line
          .split(/\s{2,}/)
          .slice(0, 6)
          .join(" | "),
      );
  const deploy = outputs.find((output) => output.includes("NAME  "))!;
  expect(columns(deploy.slice(deploy.indexOf("NAME")))).toEqual(columns(sample));
  expect(deploy).toContain("Registry: folder .data/app-deployments.");

  const list = await bash("node dist/src/tools/app.js list --json", checkout);
  const { deployments } = JSON.parse(list.stdout) as { deployments: Array<{ name: string; state: string; documents: number }> };
  expect(deployments.map(({ name, state, documents }) => `${name} ${state} ${documents}`)).toEqual([
    "apollo-web published 1",
    "codegen-web published 1",
    "relay-web retired 2",
  ]);
});
