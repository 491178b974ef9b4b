import "reflect-metadata";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print, validate, type GraphQLSchema } from "graphql";
import { documentTextKey } from "../../src/documents/document-text-key.js";
import { formatDocumentProblem, loadTrustedDocuments, sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { parseManifest } from "../../src/documents/manifest.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { shippedDocuments, shippedDocumentsModule } from "../../src/documents/shipped-documents.js";
import { buildGatewaySchema } from "../../src/graphql/schema.js";

// The registry the gateway builds at start: both manifest formats, the shipped operations, every reason a document
// refuses the start, and the lookups requests use (by id, by sha256, by the same tokens as text).

const PAGE = `query HolderPage($memberId: ID!, $first: Int) {
  referralMember(memberId: $memberId) {
    id
    holders(first: $first) {
      totalCount
    }
  }
}`;
const ADD = `mutation AddOne($input: AddHoldersInput!) {
  addHolders(input: $input) {
    holders {
      id
    }
  }
}`;

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

const dir = mkdtempSync(join(tmpdir(), "trusted-documents-"));
let files = 0;
function manifestFile(content: unknown): string {
  const file = join(dir, `manifest-${++files}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}
const apolloManifest = (operations: Array<{ id: string; body: string; name?: string; type?: string }>) => ({
  format: "apollo-persisted-query-manifest",
  version: 1,
  operations: operations.map((operation) => ({ name: "Op", type: "query", ...operation })),
});
const load = (manifests: string[], maxCost = 110) => loadTrustedDocuments({ schema, manifests, maxCost });

describe("manifests", () => {
  test("Apollo's persisted query manifest: each operation's id and body", () => {
    const manifest = parseManifest(JSON.stringify(apolloManifest([{ id: sha256Hex(PAGE), body: PAGE, name: "HolderPage" }])));
    expect(manifest).toEqual({ entries: [{ id: sha256Hex(PAGE), body: PAGE }], problems: [] });
  });

  test('a plain {"<id>": "<document>"} map (relay-compiler, graphql-codegen), keys as written', () => {
    const manifest = parseManifest(JSON.stringify({ [`sha256:${sha256Hex(PAGE)}`]: PAGE, [sha256Hex(ADD)]: ADD, "md5-or-name": PAGE }));
    expect(manifest.problems).toEqual([]);
    expect(manifest.entries.map((entry) => entry.id)).toEqual([`sha256:${sha256Hex(PAGE)}`, sha256Hex(ADD), "md5-or-name"]);
    expect(parseManifest("{}")).toEqual({ entries: [], problems: [] }); // relay-compiler's starting file
  });

  test("what is not a manifest says why", () => {
    expect(parseManifest("{nope").problems[0].reason).toMatch(/^not JSON/);
    expect(parseManifest("[]").problems[0].reason).toMatch(/^not a manifest/);
    expect(parseManifest(JSON.stringify({ format: "other" })).problems[0].reason).toMatch(/unknown manifest format "other"/);
    expect(parseManifest(JSON.stringify({ format: "apollo-persisted-query-manifest", version: 2 })).problems[0].reason).toMatch(
      /version 2; expected 1/,
    );
    expect(parseManifest(JSON.stringify({ a: 1 })).problems).toEqual([{ id: "a", reason: "the document is not a string" }]);
    expect(parseManifest(JSON.stringify(apolloManifest([{ id: "", body: PAGE }]))).problems[0].reason).toMatch(/operations\[0\] has no id/);
  });
});

describe("the shipped operations (schema/operations/) are trusted documents", () => {
  test("src/documents/shipped-documents.generated.ts is what schema/operations/*.graphql make (run `npm run documents:shipped`)", () => {
    const files = readdirSync("schema/operations")
      .filter((name) => name.endsWith(".graphql"))
      .map((name) => ({ name, text: readFileSync(join("schema/operations", name), "utf8") }));
    const fresh = shippedDocuments(files);
    expect(readFileSync("src/documents/shipped-documents.generated.ts", "utf8")).toBe(shippedDocumentsModule(fresh));
    expect(SHIPPED_DOCUMENTS).toEqual(fresh);
  });

  test("each is one operation with exactly the fragments it uses, valid against the served schema, id = sha256 of its body", () => {
    const { documents, problems, fromManifests } = load([]);
    expect(problems).toEqual([]);
    expect(fromManifests).toBe(0);
    expect([...documents].map((d) => d.operationName).sort()).toEqual([
      "AddHolders",
      "FilteredHolders",
      "ReferralHolders",
      "ReferralHoldersBackward",
      "RemoveHolder",
    ]);
    for (const document of documents) {
      expect(document.id).toBe(sha256Hex(document.body));
      expect(validate(schema, document.document)).toEqual([]); // NoUnusedFragments: no fragment too many
    }
    const remove = [...documents].find((d) => d.operationName === "RemoveHolder")!;
    expect(remove.body).not.toContain("fragment"); // it uses none
  });
});

describe("start-up checks: every problem, one line each, naming the file, the id and the reason", () => {
  test("a document that does not validate, by the schema or the operation limits", () => {
    const deep = `query Deep { __schema { queryType { ${"ofType { ".repeat(25)}name${" }".repeat(25)} } } }`;
    const aliases = `query Aliased { ${Array.from({ length: 21 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    const file = manifestFile({ bad: "query Bad { referralMembr }", deep, aliases, syntax: "query {", fine: PAGE });
    const { problems, fromManifests } = load([file]);
    expect(problems.map(formatDocumentProblem)).toEqual([
      `${file}: document bad: does not validate against the served schema: Cannot query field "referralMembr" on type "Query". ` +
        'Did you mean "referralMember"?',
      expect.stringMatching(new RegExp(`^${file}: document deep: does not validate against the served schema: .*deep`)),
      `${file}: document aliases: does not validate against the served schema: The document uses 21 aliases; at most 20 are allowed.`,
      `${file}: document syntax: does not parse: Syntax Error: Expected Name, found <EOF>.`,
    ]);
    expect(fromManifests).toBe(1);
  });

  test("an id that is a 64-hex sha256 but not the hash of its body (bare or sha256:-prefixed)", () => {
    const wrong = sha256Hex(`${PAGE} `);
    const file = manifestFile({ [wrong]: PAGE, [`sha256:${wrong}`]: ADD, [sha256Hex(ADD).toUpperCase()]: ADD });
    const { problems, fromManifests } = load([file]);
    expect(problems.map((p) => [p.id, p.reason])).toEqual([
      [wrong, `the id is a sha256 but not the sha256 of the document's body (${sha256Hex(PAGE)})`],
      [`sha256:${wrong}`, `the id is a sha256 but not the sha256 of the document's body (${sha256Hex(ADD)})`],
    ]);
    expect(fromManifests).toBe(1); // the upper-case hex is the same hash
  });

  test("two bodies under one id, in one file or across files (the same body twice is fine)", () => {
    const first = manifestFile(apolloManifest([{ id: "page", body: PAGE }]));
    const second = manifestFile({ page: ADD, same: PAGE });
    const third = manifestFile({ page: PAGE, same: PAGE });
    const { problems, fromManifests } = load([first, second, third]);
    expect(problems.map(formatDocumentProblem)).toEqual([
      `${second}: document page: the id names two different documents (the other in ${first})`,
    ]);
    expect(fromManifests).toBe(2); // page and same, each once
    const inOne = manifestFile(
      apolloManifest([
        { id: "x", body: PAGE },
        { id: "x", body: ADD },
      ]),
    );
    expect(load([inOne]).problems.map((p) => p.reason)).toEqual(["the id names two different documents (the other in the same file)"]);
  });

  test("one operation per document; fragments alone are not a document", () => {
    const file = manifestFile({ two: `${PAGE}\n${ADD}`, none: "fragment F on Customer { id }" });
    expect(load([file]).problems.map((p) => [p.id, p.reason])).toEqual([
      ["two", "holds 2 operations; a trusted document holds exactly one"],
      ["none", "holds 0 operations; a trusted document holds exactly one"],
    ]);
  });

  test("cost: refused only when no variables could bring it under GRAPHQL_MAX_COST", () => {
    const literal = `query Big { referralMember(memberId: "x") { holders(first: 500) { nodes { customer { name } } } } }`;
    const variable =
      'query Sized($first: Int) { referralMember(memberId: "x") { holders(first: $first) ' + "{ nodes { customer { name } } } } }";
    const file = manifestFile({ literal, variable });
    expect(load([file]).problems.map((p) => [p.id, p.reason])).toEqual([
      ["literal", "costs at least 505 upstream calls whatever its variables; GRAPHQL_MAX_COST is 110"],
    ]);
    // Input variables count at their cheapest too: an empty batch of holders, whatever the most a batch may hold.
    const batch = manifestFile({ batch: ADD.replace("id\n", "id\n      customer {\n        name\n      }\n") });
    expect(load([batch], 2).problems).toEqual([]);
    expect(load([batch], 0).problems.map((p) => p.reason)).toEqual([
      "costs at least 1 upstream calls whatever its variables; GRAPHQL_MAX_COST is 0",
    ]);
    // The shipped operations never refuse the start for cost: a GRAPHQL_MAX_COST sized to a small plan is the operator's.
    expect(load([], 1).problems).toEqual([]);
  });

  test("a missing file, or one that is not a manifest", () => {
    const missing = join(dir, "missing.json");
    const broken = manifestFile("{");
    expect(load([missing, broken]).problems.map(formatDocumentProblem)).toEqual([
      `${missing}: no such file`,
      expect.stringMatching(new RegExp(`^${broken}: not JSON`)),
    ]);
  });
});

describe("lookups", () => {
  const file = () =>
    manifestFile({
      [`sha256:${sha256Hex(PAGE)}`]: PAGE,
      "relay-md5-id": ADD,
    });

  test("byId: bare or sha256:-prefixed, any case; sha256Hash finds a document whose id is something else", () => {
    const { documents } = load([file()]);
    const page = documents.byId(sha256Hex(PAGE));
    expect(page?.operationName).toBe("HolderPage");
    expect(documents.byId(`sha256:${sha256Hex(PAGE)}`)).toBe(page);
    expect(documents.byId(sha256Hex(PAGE).toUpperCase())).toBe(page);
    expect(documents.byId("relay-md5-id")?.operationName).toBe("AddOne");
    expect(documents.byId(sha256Hex(ADD))?.operationName).toBe("AddOne");
    expect(documents.byId("0".repeat(64))).toBeUndefined();
    expect(documents.byId("unknown")).toBeUndefined();
  });

  test("byText: the same tokens (layout, commas, comments aside), or graphql-js's print of it; nothing else", () => {
    const { documents } = load([file()]);
    const page = documents.byId(sha256Hex(PAGE));
    expect(documents.byText(PAGE)).toBe(page);
    expect(documents.byText(print(page!.document))).toBe(page);
    const reformatted =
      "# the app's copy\nquery HolderPage( $memberId :ID! , $first:Int ){referralMember(memberId:$memberId)" +
      "{id,holders(first:$first){totalCount}}}";
    expect(documents.byText(reformatted)).toBe(page);
    expect(documents.byText(`${reformatted}`)).toBe(page); // again: now from the texts already matched
    expect(documents.byText(PAGE.replace("totalCount", "totalCount id"))).toBeUndefined();
    expect(documents.byText(PAGE.replace("holders(first: $first)", "holders(first: $first )"))).toBe(page);
    expect(documents.byText("{ __typename }")).toBeUndefined();
  });
});

describe("documentTextKey", () => {
  test.each([
    ["query Q { a b }", "query Q{a b}"],
    ["query Q {\n  a,\n  b # comment\n}", "query Q{a b}"],
    ['{ a(s: "x,  # y") }', '{a(s:"x,  # y")}'],
    ["{ ... on T { a } }", "{...on T{a}}"],
    ["{ a ...F }", "{a ...F}"],
    ["{ a(l: [1, -1]) }", "{a(l:[1 -1])}"],
    ['{ a(s: """ block\n  text """) }', '{a(s:""" block\n  text """)}'],
  ])("%j -> %j", (text, key) => {
    expect(documentTextKey(text)).toBe(key);
  });

  test("a limit gives the key's first characters, however the text is laid out", () => {
    const text = "query  Q ( $a : Int ) {\n  a(x: $a)\n  b\n}";
    for (const limit of [1, 5, 9, 14, 100]) expect(documentTextKey(text, limit)).toBe(documentTextKey(text).slice(0, limit));
    expect(documentTextKey("{a{b{c{d}}}}", 4)).toBe("{a{b");
  });

  test("tokens never merge: `a b` is not `ab`, nor `. ..` `...`", () => {
    expect(documentTextKey("{ a b }")).not.toBe(documentTextKey("{ ab }"));
    expect(documentTextKey("{ . .. }")).not.toBe(documentTextKey("{ ... }"));
  });

  test('a block string runs past an escaped `\\"""` followed by a quote: the layout after it is still the string\'s', () => {
    expect(documentTextKey('{ a(s: """\\""""  x""") }')).not.toBe(documentTextKey('{ a(s: """\\"""" x""") }'));
    expect(documentTextKey('{ a(s: """\\""""  x""") b }')).toBe('{a(s:"""\\""""  x""")b}');
  });
});
