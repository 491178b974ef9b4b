import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SEED } from "../../src/emulator/seed.js";
import { restAllHolders } from "../support/holders-expectation.js";
import { markdownBlocks, type FencedBlock } from "../support/markdown-blocks.js";
import { runCommand } from "../support/child-process.js";
import { findOsBinary } from "../support/os-binary.js";
import { startStack, type Stack } from "../support/stack.js";

// Every `curl` a frontend page (and the README) tells a reader to run is run here, as written, against a fresh
// gateway on the embedded emulator's demo data: the page's `localhost:4000` (or `127.0.0.1:4000`) is this gateway,
// its `127.0.0.1:4010` this emulator (`npm run emulator`). When the page shows the answer (the ```json block right
// after), the answer must be that JSON; ids a write creates are new on every run (the pages say so), so two new ids
// of the same kind count as equal. The examples of a page run in the page's order, on one stack, as a reader's would.

const curl = findOsBinary("curl", { debianPackage: "curl" });

const pages = ["README.md", ...readdirSync("docs/frontend").map((name) => join("docs/frontend", name))];

interface Example {
  command: FencedBlock;
  answer: FencedBlock | null;
}

function curlExamples(page: string): Example[] {
  const { fences } = markdownBlocks(readFileSync(page, "utf8"));
  return fences.flatMap((block, index) => {
    if (block.language !== "sh" || !/^curl /m.test(block.text)) return [];
    const next = fences[index + 1];
    return [{ command: block, answer: next?.language === "json" ? next : null }];
  });
}

/** Ids the demo data does not have: written during the run, so different on every run. */
function newIdsMasked(value: unknown, seeded: ReadonlySet<string>): unknown {
  if (typeof value === "string") {
    const kind = /^(rh|cust)_[A-Za-z0-9]+$/.exec(value)?.[1];
    return kind && !seeded.has(value) ? `<a new ${kind}_ id>` : value;
  }
  if (Array.isArray(value)) return value.map((item) => newIdsMasked(item, seeded));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, newIdsMasked(item, seeded)]));
  }
  return value;
}

test("the pages hold curl examples, and each example that shows an answer is found with it", () => {
  const examples = pages.flatMap(curlExamples);
  expect(examples.length).toBeGreaterThanOrEqual(10);
  expect(examples.filter((example) => example.answer === null).map(({ command }) => command.text)).toEqual([]);
});

curl.describe("curl examples of the frontend pages and the README, run as written", () => {
  describe.each(pages.filter((page) => curlExamples(page).length > 0))("%s", (page) => {
    let stack: Stack;
    let seeded: Set<string>;
    beforeAll(async () => {
      stack = await startStack();
      const holders = [...(await restAllHolders(stack.emulator, SEED.code)), ...(await restAllHolders(stack.emulator, SEED.otherCode))];
      seeded = new Set(holders.flatMap((holder) => [holder.id, holder.customer_id]));
    });
    afterAll(() => stack?.stop());

    test.each(curlExamples(page).map((example) => [example.command.line, example] as const))(
      "the curl at line %d",
      async (_line, example) => {
        const gateway = new URL(stack.gateway.url).host;
        const emulator = new URL(stack.emulator.url).host;
        const script = example.command.text
          .replace(/\b(localhost|127\.0\.0\.1):4000\b/g, gateway)
          .replace(/\b127\.0\.0\.1:4010\b/g, emulator);
        // Asynchronously: the gateway answering curl runs in this process.
        // Without HOME: no reader's ~/.curlrc changes what curl prints.
        const run = await runCommand("bash", ["--norc", "--noprofile", "-eo", "pipefail", "-c", script], { env: { HOME: undefined } });
        expect([run.status, run.stderr]).toEqual([0, ""]);
        const answer = JSON.parse(run.stdout) as unknown;
        expect(newIdsMasked(answer, seeded)).toEqual(newIdsMasked(JSON.parse(example.answer!.text), seeded));
      },
    );
  });
});
