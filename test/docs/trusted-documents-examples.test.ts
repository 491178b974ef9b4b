import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { SEED } from "../../src/emulator/seed.js";
import { runScript } from "../support/child-process.js";
import { environmentWithoutNpm } from "../support/process-env.js";
import { blocksUnder, markdownBlocks, type FencedBlock } from "../support/markdown-blocks.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// docs/frontend/trusted-documents.md followed as written. For each client tool: the packages it names are the versions
// installed here (what the test suites run), its files are written into a fresh app `web/` beside a
// `referrals-gateway/` (this checkout), its commands run in `web/` with the real tools (npx), and the gateway starts
// with the page's settings and runs every document of the manifest the tool wrote, by id. The page's table of the
// shipped operations' ids is computed here; its curl examples are run by curl-examples.test.ts.

const PAGE = "docs/frontend/trusted-documents.md";
const page = readFileSync(PAGE, "utf8");
/** The app's commands run offline: npx runs the tools installed here, and fails at once rather than download one. */
const APP_ENVIRONMENT = { ...environmentWithoutNpm(), npm_config_offline: "true" };

/** `name@range` of each `npm install` line of a section, the range as written (`4`, `1.1`, `21.0.1`). */
function packagesToInstall(blocks: FencedBlock[]): Array<{ name: string; range: string }> {
  return blocks
    .filter((block) => block.language === "sh" && /^npm install /.test(block.text))
    .flatMap((block) => block.text.split("\n"))
    .flatMap((line) => line.split(/\s+/).filter((word) => /^@?[^@\s-][^@\s]*@\d/.test(word)))
    .map((spec) => {
      const at = spec.lastIndexOf("@");
      return { name: spec.slice(0, at), range: spec.slice(at + 1) };
    });
}

/** The package an import specifier names (`@apollo/client/link/x` -> `@apollo/client`), or null for a relative one. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".")) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const rangePrefix = (range: string) => new RegExp(`^${range.replace(/\./g, "\\.")}(\\.|$)`);

const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;

/** The ids of a manifest in either format the gateway reads. */
function manifestIds(file: string): string[] {
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { format?: string; operations?: Array<{ id: string }> };
  return manifest.format === "apollo-persisted-query-manifest"
    ? manifest.operations!.map((operation) => operation.id)
    : Object.keys(manifest);
}

test("the table of the shipped operations' ids is what this version serves", () => {
  const { prose } = markdownBlocks(page);
  const rows = prose.flatMap(({ text }) => {
    const match = /^\| `(\w+)` \| `(sha256:[0-9a-f]{64})` \|$/.exec(text);
    return match ? [{ name: match[1], id: match[2] }] : [];
  });
  expect(rows).toEqual(SHIPPED_DOCUMENTS.map((document) => ({ name: document.name, id: `sha256:${sha256Hex(document.body)}` })));
  // The curl examples send these ids (curl-examples.test.ts runs them).
  const sent = [...page.matchAll(/documentId[":=]+(?:sha256:)?([0-9a-f]{64})/g)].map((match) => `sha256:${match[1]}`);
  const known = new Set(rows.map((row) => row.id));
  expect(sent.filter((id) => !known.has(id) && !/^sha256:0+$/.test(id))).toEqual([]);
  expect(sent.length).toBeGreaterThanOrEqual(2);
});

describe.each(["Apollo Client", "graphql-codegen client preset", "Relay"])(`${PAGE}, "%s", followed as written`, (heading) => {
  const blocks = blocksUnder(page, heading);
  let root: string;
  let stack: Stack | undefined;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "trusted-documents-example-"));
    symlinkSync(process.cwd(), join(root, "referrals-gateway"));
    mkdirSync(join(root, "web"));
    // What `npm install` of the page's packages gives the app: the same packages this checkout runs its suites with.
    symlinkSync(resolve("node_modules"), join(root, "web/node_modules"));
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test("it names the packages to install, at the versions installed here, and every package its code imports", () => {
    const packages = packagesToInstall(blocks);
    expect(packages.length).toBeGreaterThanOrEqual(2);
    // `1.1` is npm's 1.1.x: the installed version starts with the range's numbers, up to a dot.
    for (const { name, range } of packages)
      expect([name, installedVersion(name)]).toEqual([name, expect.stringMatching(rangePrefix(range))]);
    const imported = blocks
      .filter((block) => block.language === "ts")
      .flatMap((block) => [...block.text.matchAll(/from "([^"]+)"/g)].map((match) => packageOf(match[1])))
      .filter((name): name is string => name !== null);
    expect(imported.filter((name) => !packages.some((installed) => installed.name === name))).toEqual([]);
  });

  test("its files written to web/, its commands run there: the tool writes the manifest the start line loads; each id runs", async () => {
    const files = blocks.flatMap((block) => {
      const path = /`(web\/[^`]+)`:$/.exec(block.caption)?.[1];
      return path ? [{ path, text: block.text }] : [];
    });
    expect(files.map((file) => file.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^web\/src\//)]));
    for (const file of files) {
      mkdirSync(dirname(join(root, file.path)), { recursive: true });
      writeFileSync(join(root, file.path), file.text);
    }

    const commands = blocks.filter(
      (block) => block.language === "sh" && !/^npm install /.test(block.text) && !/npm start/.test(block.text),
    );
    expect(commands.length).toBeGreaterThanOrEqual(1);
    for (const command of commands) {
      await runScript(command.text, { cwd: join(root, "web"), env: APP_ENVIRONMENT });
    }

    const [start] = blocks.filter((block) => block.language === "sh" && /npm start/.test(block.text));
    const settings = Object.fromEntries([...start.text.matchAll(/\b([A-Z_]+)=(\S+)/g)].map((match) => [match[1], match[2]]));
    expect(Object.keys(settings).sort()).toEqual(["TRUSTED_DOCUMENTS", "TRUSTED_DOCUMENTS_ONLY"]);
    // Paths in the setting are the gateway's, relative to its folder.
    const manifest = resolve(root, "referrals-gateway", settings.TRUSTED_DOCUMENTS);
    const ids = manifestIds(manifest);
    expect(ids).toHaveLength(1);

    stack = await startStack({ env: { ...settings, TRUSTED_DOCUMENTS: manifest } });
    expect(stack.gateway.trustedDocuments.fromManifests).toBe(ids.length);
    for (const documentId of ids) {
      const response = await fetch(stack.gateway.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ documentId, variables: { memberId: SEED.code, first: 2 } }),
      });
      const body = (await response.json()) as { data?: { referralMember: { holders: { nodes: unknown[] } } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data!.referralMember.holders.nodes).toHaveLength(2);
    }
    // Safelisting is on: the same operation as text that is not the manifest's is refused.
    const adHoc = await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.code}") { id } }`);
    expect(adHoc.errors?.[0].extensions?.code).toBe("QUERY_NOT_IN_SAFELIST");
  });
});

test("the Apollo generator reads the configuration file the page names: its `output` decides where the manifest goes", async () => {
  // The page's `output` is the tool's default, so a misnamed file would go unnoticed above: change it and look.
  const blocks = blocksUnder(page, "Apollo Client");
  const config = blocks.find((block) => /`web\/persisted-query-manifest\.config\.json`:$/.test(block.caption))!;
  const source = blocks.find((block) => /`web\/src\/[^`]+`:$/.test(block.caption))!;
  const command = blocks.find((block) => block.language === "sh" && /^npx generate-persisted-query-manifest$/m.test(block.text))!;
  const app = mkdtempSync(join(tmpdir(), "apollo-config-name-"));
  try {
    symlinkSync(resolve("node_modules"), join(app, "node_modules"));
    mkdirSync(join(app, "src"));
    writeFileSync(join(app, "src/holder-page.ts"), source.text);
    writeFileSync(
      join(app, "persisted-query-manifest.config.json"),
      JSON.stringify({ ...JSON.parse(config.text), output: "elsewhere.json" }),
    );
    await runScript(command.text, { cwd: app, env: APP_ENVIRONMENT });
    expect(manifestIds(join(app, "elsewhere.json"))).toHaveLength(1);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
