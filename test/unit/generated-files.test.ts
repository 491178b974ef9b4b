import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printClientSchema } from "../../src/graphql/client-sdl.js";
import { printServedSchema } from "../../src/graphql/schema-sdl.js";

// Committed generated files must be what the generators produce now: drift fails here, not in production.
describe("generated files are up to date", () => {
  test("schema/schema.graphql is the served subgraph SDL, `_service { sdl }` (run `npm run schema`)", async () => {
    expect(readFileSync("schema/schema.graphql", "utf8")).toBe(await printServedSchema());
  });

  test("schema/client.graphql is the client-facing schema, no federation machinery (run `npm run schema`)", async () => {
    const client = readFileSync("schema/client.graphql", "utf8");
    expect(client).toBe(await printClientSchema());
    expect(client).not.toMatch(/_entities|_service|_Any|_Entity|@link|@key|@shareable|federation__|link__/);
  });

  test("src/voucherify/upstream.generated.ts matches the OpenAPI document (run `npm run codegen:upstream`)", () => {
    const out = join(mkdtempSync(join(tmpdir(), "upstream-types-")), "upstream.generated.ts");
    execFileSync("node_modules/.bin/openapi-typescript", ["schema/upstream/openapi-referral-holders.json", "-o", out], {
      stdio: "ignore",
    });
    expect(readFileSync("src/voucherify/upstream.generated.ts", "utf8")).toBe(readFileSync(out, "utf8"));
  });
});
