import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { SEED } from "../../src/emulator/seed.js";
import { restAllHolders } from "../support/holders-expectation.js";
import { startStack, type Stack } from "../support/stack.js";
import { HOLDER_PAGE } from "./apollo-app/holder-page.js";
import { recordingFetch } from "./recording-fetch.js";

// Apollo Client 4 with a persisted query list, end to end and offline: `npx generate-persisted-query-manifest`
// (@apollo/generate-persisted-query-manifest) really runs over test/documents/apollo-app/, the gateway starts with
// the manifest it wrote and TRUSTED_DOCUMENTS_ONLY=true, and the app pages a referral code's holders through
// @apollo/persisted-query-lists: ids on the wire, never document text.

interface Manifest {
  format: string;
  operations: Array<{ id: string; name: string; type: string; body: string }>;
}

/** Runs the real CLI with the app's config, writing the manifest into a temporary directory. */
function generateManifest(): string {
  const dir = mkdtempSync(join(tmpdir(), "apollo-manifest-"));
  const config = JSON.parse(readFileSync("test/documents/apollo-app/persisted-query-manifest.config.json", "utf8")) as { output: string };
  const configFile = join(dir, "persisted-query-manifest.config.json");
  writeFileSync(configFile, JSON.stringify({ ...config, output: join(dir, config.output) }));
  execFileSync("node_modules/.bin/generate-persisted-query-manifest", ["--config", configFile], { stdio: "ignore" });
  return join(dir, config.output);
}

describe("Apollo Client + @apollo/persisted-query-lists, manifest from generate-persisted-query-manifest, safelisting on", () => {
  let stack: Stack;
  let manifest: Manifest;
  // Loaded once @apollo/client's ES modules have finished evaluating: the package is CommonJS and requires
  // @apollo/client/core, which Node 24 loads through require(esm); a static import would require it while the
  // graph is still linking, and jest refuses that as a cycle.
  let generatePersistedQueryIdsFromManifest: (typeof import("@apollo/persisted-query-lists"))["generatePersistedQueryIdsFromManifest"];

  beforeAll(async () => {
    ({ generatePersistedQueryIdsFromManifest } = await import("@apollo/persisted-query-lists"));
    const file = generateManifest();
    manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
    stack = await startStack({ env: { TRUSTED_DOCUMENTS: file, TRUSTED_DOCUMENTS_ONLY: "true" } });
  });
  afterAll(() => stack.stop());

  test("the tool's manifest: one operation per gql document, id = sha256 of its body; the gateway trusts it", () => {
    expect(manifest.format).toBe("apollo-persisted-query-manifest");
    expect(manifest.operations.map(({ name, type }) => ({ name, type }))).toEqual([{ name: "AppHolderPage", type: "query" }]);
    expect(stack.gateway.trustedDocuments.fromManifests).toBe(1);
    expect(stack.gateway.trustedDocuments.documents.byId(manifest.operations[0].id)?.body).toBe(manifest.operations[0].body);
  });

  test("the app pages every holder by id: each request carries the manifest's id and no document text", async () => {
    const wire = recordingFetch();
    const client = new ApolloClient({
      link: ApolloLink.from([
        createPersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest })),
        new HttpLink({ uri: stack.gateway.graphqlUrl, fetch: wire.fetch }),
      ]),
      cache: new InMemoryCache(),
    });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      // Each page as the server sends it (a component would merge them in the cache with relayStylePagination).
      const variables = { memberId: SEED.code, first: 10, after };
      const result = await client.query<{ referralMember: { holders: HolderPage } }>({
        query: HOLDER_PAGE,
        variables,
        fetchPolicy: "no-cache",
      });
      expect(result.error).toBeUndefined();
      const holders: HolderPage = result.data!.referralMember.holders;
      seen.push(...holders.edges.map((edge) => edge.node.id));
      if (!holders.pageInfo.hasNextPage) break;
      after = holders.pageInfo.endCursor;
    }
    expect(seen).toEqual((await restAllHolders(stack.emulator, SEED.code)).map((holder) => holder.id));
    expect(wire.requests).toHaveLength(3);
    for (const request of wire.requests) {
      expect(request.fields).not.toHaveProperty("query");
      expect(request.fields.extensions).toMatchObject({ persistedQuery: { version: 1, sha256Hash: manifest.operations[0].id } });
    }
  });

  test("what the app sees of a document not on the list: QUERY_NOT_IN_SAFELIST as a GraphQL error, nothing upstream", async () => {
    stack.emulator.resetRequests();
    // An ad-hoc query from a client without the persisted query link (a debug page, a script): sent as text.
    const adHoc = new ApolloClient({ link: new HttpLink({ uri: stack.gateway.graphqlUrl }), cache: new InMemoryCache() });
    const query = gql`
      query AdHocCount($memberId: ID!) {
        referralMember(memberId: $memberId) {
          id
          holders(first: 1) {
            totalCount
          }
        }
      }
    `;
    const { data, error } = await adHoc.query({ query, variables: { memberId: SEED.code }, errorPolicy: "all" });
    expect(data).toBeUndefined();
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors.map((e) => e.extensions?.code)).toEqual(["QUERY_NOT_IN_SAFELIST"]);
    expect(stack.emulator.requests).toHaveLength(0);
    // Through the persisted query link, a query missing from the manifest never leaves the app.
    const wire = recordingFetch();
    const listed = new ApolloClient({
      link: ApolloLink.from([
        createPersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest })),
        new HttpLink({ uri: stack.gateway.graphqlUrl, fetch: wire.fetch }),
      ]),
      cache: new InMemoryCache(),
    });
    await expect(listed.query({ query, variables: { memberId: SEED.code } })).rejects.toThrow("Operation AdHocCount not found in manifest");
    expect(wire.requests).toHaveLength(0);
  });
});

interface HolderPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: { id: string } }>;
}
