import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEED } from "../../src/emulator/seed.js";
import { restAllHolders } from "../support/holders-expectation.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { executePersisted, type ExecutionResult } from "./codegen-app/execute.js";
import type { CodegenHolderPageQuery } from "./codegen-app/gql/graphql.js";
import { CodegenHolderPageDocument } from "./codegen-app/holder-page.js";
import { recordingFetch } from "./recording-fetch.js";

// graphql-codegen's client-preset with persisted documents, end to end and offline: codegen really runs over
// test/documents/codegen-app/ (codegen.yml, `presetConfig.persistedDocuments`), the gateway starts with the
// persisted-documents.json it produced and TRUSTED_DOCUMENTS_ONLY=true, and the app pages holders by `documentId`.
//
// Codegen runs in a child `node`, as in test/unit/codegen-fresh.test.ts (its plugins are ESM-only, which jest's module
// runtime refuses); `generate(config, false)` returns the outputs without writing them.
const GENERATE = `
import { generate, loadCodegenConfig } from "@graphql-codegen/cli";
const { config } = await loadCodegenConfig({ configFilePath: "test/documents/codegen-app/codegen.yml" });
process.stdout.write(JSON.stringify(await generate({ ...config, cwd: process.cwd(), silent: true }, false)));
`;

const GENERATED_DIR = "test/documents/codegen-app/gql/";

describe("graphql-codegen client-preset with persistedDocuments (sha256), safelisting on", () => {
  let stack: Stack;
  let outputs: Array<{ filename: string; content: string }>;
  let persisted: Record<string, string>;

  beforeAll(async () => {
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", GENERATE], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    });
    outputs = JSON.parse(stdout) as typeof outputs;
    const json = outputs.find((output) => output.filename === `${GENERATED_DIR}persisted-documents.json`)!.content;
    persisted = JSON.parse(json) as Record<string, string>;
    const file = join(mkdtempSync(join(tmpdir(), "codegen-persisted-")), "persisted-documents.json");
    writeFileSync(file, json);
    stack = await startStack({ env: { TRUSTED_DOCUMENTS: file, TRUSTED_DOCUMENTS_ONLY: "true" } });
  });
  afterAll(() => stack?.stop());

  test("the committed gql/ is what codegen writes now (run `npm run codegen:documents`)", () => {
    expect(outputs.map((output) => output.filename).sort()).toEqual(
      ["gql.ts", "graphql.ts", "index.ts", "persisted-documents.json"].map((name) => `${GENERATED_DIR}${name}`),
    );
    for (const output of outputs) expect(readFileSync(output.filename, "utf8")).toBe(output.content);
  });

  test("persisted-documents.json is keyed sha256:<hex> of each printed document; the document carries the same hash", () => {
    const [[id, body]] = Object.entries(persisted);
    expect(Object.keys(persisted)).toHaveLength(1);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((CodegenHolderPageDocument as { __meta__?: { hash?: string } }).__meta__?.hash).toBe(id);
    expect(stack.gateway.trustedDocuments.documents.byId(id)?.body).toBe(body);
  });

  test("the app pages every holder by documentId, no document text on the wire", async () => {
    const wire = recordingFetch();
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const variables = { memberId: SEED.code, first: 10, after };
      const result: ExecutionResult<CodegenHolderPageQuery> = await executePersisted(
        stack.gateway.graphqlUrl,
        CodegenHolderPageDocument,
        variables,
        wire.fetch,
      );
      expect(result.errors).toBeUndefined();
      const holders = result.data!.referralMember.holders!;
      seen.push(...holders.edges.map((edge) => edge.node.id));
      if (!holders.pageInfo.hasNextPage) break;
      after = holders.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual((await restAllHolders(stack.emulator, SEED.code)).map((holder) => holder.id));
    expect(wire.requests).toHaveLength(3);
    const [id] = Object.keys(persisted);
    for (const request of wire.requests) expect(Object.keys(request.fields).sort()).toEqual(["documentId", "variables"]);
    expect(new Set(wire.requests.map((request) => request.fields.documentId))).toEqual(new Set([id]));
  });

  test("what the app sees of anything else: QUERY_NOT_IN_SAFELIST (text), PERSISTED_QUERY_NOT_IN_LIST (a stale id), 400", async () => {
    stack.emulator.resetRequests();
    const adHoc = await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.code}") { id } }`);
    expect([adHoc.status, adHoc.errors?.[0].extensions?.code]).toEqual([400, "QUERY_NOT_IN_SAFELIST"]);
    const stale = { ...CodegenHolderPageDocument, __meta__: { hash: `sha256:${"0".repeat(64)}` } };
    const old = await executePersisted(stack.gateway.graphqlUrl, stale, { memberId: SEED.code });
    expect([old.status, old.errors?.[0].extensions?.code]).toEqual([400, "PERSISTED_QUERY_NOT_IN_LIST"]);
    expect(stack.emulator.requests).toHaveLength(0);
  });
});
