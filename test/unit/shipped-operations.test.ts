import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse } from "graphql";
import { SANDBOX_INITIAL_DOCUMENT } from "../../src/graphql/landing-page.js";
import { SHIPPED_OPERATIONS } from "../../src/observability/shipped-operations.js";

function operationNames(source: string): string[] {
  return parse(source).definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
  );
}

test("SHIPPED_OPERATIONS is the operation names of schema/operations/*.graphql and the Sandbox document (edit the list)", () => {
  const dir = "schema/operations";
  const fromFiles = readdirSync(dir)
    .filter((file) => file.endsWith(".graphql"))
    .flatMap((file) => operationNames(readFileSync(join(dir, file), "utf8")));
  const expected = [...new Set([...fromFiles, ...operationNames(SANDBOX_INITIAL_DOCUMENT)])].sort();
  expect(expected.length).toBeGreaterThan(0);
  expect([...SHIPPED_OPERATIONS].sort()).toEqual(expected);
});
