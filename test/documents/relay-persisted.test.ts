import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  createOperationDescriptor,
  Environment,
  fetchQuery,
  getSelector,
  Network,
  RecordSource,
  Store,
  type GraphQLResponse,
  type SingularReaderSelector,
} from "relay-runtime";
import { SEED } from "../../src/emulator/seed.js";
import { restAllHolders } from "../support/holders-expectation.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { getDataID } from "../relay/data-id.js";
import HolderListPaginationQuery from "../relay/persisted/__generated__/HolderListPaginationQuery.graphql.js";
import HolderListQuery from "../relay/persisted/__generated__/HolderListQuery.graphql.js";
import HolderListFragment, { type HolderList_query$data } from "../relay/persisted/__generated__/HolderList_query.graphql.js";
import { recordingFetch } from "./recording-fetch.js";

// Relay with persisted queries, end to end and offline: relay-compiler 21 really compiles test/relay/ with
// relay.persisted.config.json's `persistConfig` (sha256), the gateway starts with the persisted-queries file it wrote
// and TRUSTED_DOCUMENTS_ONLY=true, and the app's network layer sends `documentId: params.id`, never the text
// (persisted artifacts have `params.text: null`). The committed artifacts (test/relay/persisted/) are checked fresh.

interface RelayConfig {
  src: string;
  schema: string;
  artifactDirectory: string;
  persistConfig: { file: string; algorithm: string };
}

/** Runs relay-compiler with the committed persisted config, writing into a temporary directory; returns that directory. */
function compilePersisted(): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-persisted-"));
  const config = JSON.parse(readFileSync("relay.persisted.config.json", "utf8")) as RelayConfig;
  const artifactDirectory = join(dir, "__generated__");
  mkdirSync(artifactDirectory);
  const file = join(dir, "persisted-queries.json");
  writeFileSync(file, "{}"); // relay-compiler adds to the file: it must exist
  const configFile = join(dir, "relay.config.json");
  const paths = {
    src: resolve(config.src),
    schema: resolve(config.schema),
    artifactDirectory,
    persistConfig: { ...config.persistConfig, file },
  };
  writeFileSync(configFile, JSON.stringify({ ...config, ...paths }));
  execFileSync("node_modules/.bin/relay-compiler", [configFile], { stdio: ["ignore", "pipe", "pipe"] });
  return dir;
}

/** The app's network layer in persisted mode: the compiled operation's id goes as `documentId`. */
function relayEnvironment(url: string, fetcher: typeof fetch): Environment {
  const network = Network.create(async (params, variables) => {
    const response = await fetcher(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ documentId: params.id, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  });
  return new Environment({ network, store: new Store(new RecordSource()), getDataID });
}

type Holders = NonNullable<NonNullable<HolderList_query$data["referralMember"]>["holders"]>;

describe("Relay persisted queries (relay-compiler persistConfig, sha256), safelisting on", () => {
  let stack: Stack;
  let compiled: string;
  let persisted: Record<string, string>;

  beforeAll(async () => {
    compiled = compilePersisted();
    const file = join(compiled, "persisted-queries.json");
    persisted = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    stack = await startStack({ env: { TRUSTED_DOCUMENTS: file, TRUSTED_DOCUMENTS_ONLY: "true" } });
  });
  afterAll(() => stack?.stop());

  test("the committed persisted artifacts and file are what relay-compiler writes now (run `npm run relay:persisted`)", () => {
    const committed = "test/relay/persisted/__generated__";
    expect(readdirSync(join(compiled, "__generated__")).sort()).toEqual(readdirSync(committed).sort());
    for (const name of readdirSync(committed)) {
      expect(readFileSync(join(committed, name), "utf8")).toBe(readFileSync(join(compiled, "__generated__", name), "utf8"));
    }
    expect(readFileSync("test/relay/persisted/persisted-queries.json", "utf8")).toBe(
      readFileSync(join(compiled, "persisted-queries.json"), "utf8"),
    );
  });

  test("the file maps each operation's id (sha256 of its text) to the text; the artifacts carry the id, not the text", () => {
    expect(Object.keys(persisted).sort()).toEqual([HolderListQuery.params.id, HolderListPaginationQuery.params.id].sort());
    expect(HolderListQuery.params.text).toBeNull();
    expect(stack.gateway.trustedDocuments.fromManifests).toBe(2);
  });

  test("the app pages every holder forwards by documentId (usePaginationFragment's requests), no text on the wire", async () => {
    const wire = recordingFetch();
    const environment = relayEnvironment(stack.gateway.graphqlUrl, wire.fetch);
    const first = { memberId: SEED.code, first: 10, last: null };
    const operation = createOperationDescriptor(HolderListQuery, first);
    environment.retain(operation);
    await fetchQuery(environment, HolderListQuery, first).toPromise();
    const selector = getSelector(HolderListFragment, environment.lookup(operation.fragment).data) as SingularReaderSelector;
    const connection = (): Holders => (environment.lookup(selector).data as HolderList_query$data).referralMember.holders!;
    for (let page = 1; connection().pageInfo.hasNextPage; page++) {
      expect(page).toBeLessThan(10);
      const variables = { memberId: SEED.code, first: 10, after: connection().pageInfo.endCursor, last: null, before: null };
      await fetchQuery(environment, HolderListPaginationQuery, variables).toPromise();
    }
    expect(connection().edges.map((edge) => edge.node.id)).toEqual((await restAllHolders(stack.emulator, SEED.code)).map((h) => h.id));
    expect(wire.requests.map((request) => request.fields.documentId)).toEqual([
      HolderListQuery.params.id,
      HolderListPaginationQuery.params.id,
      HolderListPaginationQuery.params.id,
    ]);
    for (const request of wire.requests) expect(Object.keys(request.fields).sort()).toEqual(["documentId", "variables"]);
  });

  test("what the app sees of a document sent as text (non-persisted artifacts): QUERY_NOT_IN_SAFELIST, nothing upstream", async () => {
    stack.emulator.resetRequests();
    const answer = await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.code}") { id } }`);
    expect([answer.status, answer.errors?.[0].extensions?.code]).toEqual([400, "QUERY_NOT_IN_SAFELIST"]);
    // The persisted operation's own text is the same document: it runs.
    const asText = await graphql(stack.gateway.graphqlUrl, persisted[HolderListQuery.params.id!], { memberId: SEED.code, first: 1 });
    expect(asText.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(1);
  });
});
