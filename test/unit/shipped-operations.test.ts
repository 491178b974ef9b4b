import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse } from "graphql";
import { SHIPPED_OPERATION_NAMES } from "../../src/documents/shipped-documents.generated.js";
import { SANDBOX_INITIAL_DOCUMENT } from "../../src/graphql/landing-page.js";
import { OperationLabels } from "../../src/observability/operation-labels.js";

// The metrics' fixed operation labels are the shipped documents' names (generated from schema/operations/, fresh by
// test/documents/trusted-documents.test.ts): no list of them is written by hand.

function operationNames(source: string): string[] {
  return parse(source).definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
  );
}

test("SHIPPED_OPERATION_NAMES are the operation names of schema/operations/*.graphql (run `npm run documents:shipped`)", () => {
  const dir = "schema/operations";
  const fromFiles = readdirSync(dir)
    .filter((file) => file.endsWith(".graphql"))
    .flatMap((file) => operationNames(readFileSync(join(dir, file), "utf8")));
  expect(fromFiles.length).toBeGreaterThan(0);
  expect([...SHIPPED_OPERATION_NAMES].sort()).toEqual([...new Set(fromFiles)].sort());
});

test("the Sandbox's initial document runs shipped operations only, so each has its own metrics label", () => {
  const sandbox = operationNames(SANDBOX_INITIAL_DOCUMENT);
  expect(sandbox.length).toBeGreaterThan(0);
  expect(SHIPPED_OPERATION_NAMES).toEqual(expect.arrayContaining(sandbox));
});

test("a shipped operation keeps its label once client-chosen names have used up every other one", () => {
  const labels = new OperationLabels({ known: SHIPPED_OPERATION_NAMES, newNamesPerWindow: 1, maxNames: 1, now: () => 0 });
  expect([labels.label("Junk1"), labels.label("Junk2")]).toEqual(["Junk1", "other"]);
  expect(SHIPPED_OPERATION_NAMES.map((name) => labels.label(name))).toEqual(SHIPPED_OPERATION_NAMES);
});
