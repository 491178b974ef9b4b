import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { apolloManifest, clientSchemaWithout, manifestFolder, runApp, schemaCheck } from "../support/app-deployments.js";

// `npm run schema:check` knows the apps: a schema change that breaks a document of a published app deployment fails
// it, naming the deployment, the operation and the field; one that breaks only a retired deployment's document passes.
// The registry is a folder here (the Redis suite reads one in Redis the same way, through the same settings).

const EMAILS =
  "query WebEmails($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 5) { nodes { customer { email } } } } }";
const PHONES =
  "query OldPhones($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 5) { nodes { customer { phone } } } } }";
describe("npm run schema:check against the published app deployments", () => {
  const env = { APP_DEPLOYMENTS_DIR: join(mkdtempSync(join(tmpdir(), "schema-check-")), "registry") };
  const file = manifestFolder("schema-check-manifests-");
  const schemas = {
    noEmail: file("no-email.graphql", clientSchemaWithout("Customer", "email")),
    noPhone: file("no-phone.graphql", clientSchemaWithout("Customer", "phone")),
  };
  // Release notes that name both removals: only the apps can fail the check then.
  const changelog = file(
    "CHANGELOG.md",
    "# Changelog\n\n## [Unreleased]\n\n- **Breaking:** `Customer.email` and `Customer.phone` removed.\n",
  );

  beforeAll(async () => {
    for (const [name, version, body, publish] of [
      ["web", "2.0.0", EMAILS, true],
      ["old", "1.0.0", PHONES, true],
    ] as const) {
      const args = [
        "create",
        "--name",
        name,
        "--version",
        version,
        ...(publish ? ["--publish"] : []),
        file(`${name}.json`, apolloManifest(body)),
      ];
      expect((await runApp(args, env)).status).toBe(0);
    }
    expect((await runApp(["retire", "--name", "old", "--version", "1.0.0"], env)).status).toBe(0);
  });

  test("a change that breaks a published document fails, naming the deployment, the operation and the field", async () => {
    const result = await schemaCheck(["--baseline", "schema/client.graphql", "--schema", schemas.noEmail, "--changelog", changelog], env);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      `app deployment web 2.0.0: operation WebEmails (document ${sha256Hex(EMAILS)}): ` +
        "Customer.email: Field 'email' was removed from object type 'Customer'",
      `1 problem(s): schema/client.graphql -> ${schemas.noEmail} would break its clients; ` +
        `1 published app deployment(s), 1 document(s) (registry: folder ${env.APP_DEPLOYMENTS_DIR}).`,
    ]);
  });

  test("a change that breaks only a retired deployment's document passes", async () => {
    const result = await schemaCheck(["--baseline", "schema/client.graphql", "--schema", schemas.noPhone, "--changelog", changelog], env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^OK: schema\/client\.graphql -> \S+ breaks no published document/);
  });

  test("a breaking change the changelog does not name fails as before, apps or not", async () => {
    const result = await schemaCheck(["--baseline", "schema/client.graphql", "--schema", schemas.noPhone], env);
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      "CHANGELOG.md: breaking change `Customer.phone` is not named under [Unreleased]: " +
        "Field 'phone' was removed from object type 'Customer'",
    );
  });

  test("by default: this build's schema against the last release, with the project's changelog; no apps: passes", async () => {
    const result = await schemaCheck([], { APP_DEPLOYMENTS_DIR: join(tmpdir(), "schema-check-no-registry") });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^OK: schema\/baseline\.graphql -> schema\/client\.graphql breaks no published document; .*0 published app/,
    );
  });
});
