import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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
import { startStack, type Stack } from "../support/stack.js";
import { getDataID } from "./data-id.js";
import HolderListPaginationQuery from "./__generated__/HolderListPaginationQuery.graphql.js";
import HolderListQuery from "./__generated__/HolderListQuery.graphql.js";
import HolderListFragment, { type HolderList_query$data } from "./__generated__/HolderList_query.graphql.js";

// A Relay app's view: test/relay/HolderList.ts (a refetchable, paginated fragment on Query) compiled by
// relay-compiler against schema/client.graphql, then paged both ways with relay-runtime exactly as
// usePaginationFragment does (the refetch query with first/after or last/before; the @connection handler merges).
// The store's connection is compared with the emulator's own REST answer.

const PAGE = 7;
type Holders = NonNullable<NonNullable<HolderList_query$data["referralMember"]>["holders"]>;

function relayEnvironment(url: string): Environment {
  const network = Network.create(async (params, variables) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: params.text, variables, operationName: params.name }),
    });
    return (await response.json()) as GraphQLResponse;
  });
  return new Environment({ network, store: new Store(new RecordSource()), getDataID });
}

/** Loads the first page with the app's query and keeps it retained; returns a reader of the fragment's connection. */
async function loadFirstPage(environment: Environment, variables: { first?: number; last?: number }) {
  const queryVariables = { memberId: SEED.code, first: null, last: null, ...variables };
  const operation = createOperationDescriptor(HolderListQuery, queryVariables);
  environment.retain(operation);
  await fetchQuery(environment, HolderListQuery, queryVariables).toPromise();
  const root = environment.lookup(operation.fragment).data;
  const selector = getSelector(HolderListFragment, root) as SingularReaderSelector;
  return (): Holders => {
    const snapshot = environment.lookup(selector);
    expect(snapshot.isMissingData).toBe(false);
    return (snapshot.data as HolderList_query$data).referralMember.holders!;
  };
}

/** One usePaginationFragment loadNext/loadPrevious: the refetchable query with the connection's cursor. */
async function loadMore(environment: Environment, direction: "forward" | "backward", cursor: string | null | undefined) {
  const variables =
    direction === "forward"
      ? { memberId: SEED.code, first: PAGE, after: cursor, last: null, before: null }
      : { memberId: SEED.code, first: null, after: null, last: PAGE, before: cursor };
  await fetchQuery(environment, HolderListPaginationQuery, variables).toPromise();
}

describe("Relay: a refetchable paginated fragment on Query, compiled by relay-compiler", () => {
  let stack: Stack;
  let restHolderIds: string[];

  beforeAll(async () => {
    stack = await startStack();
    restHolderIds = (await restAllHolders(stack.emulator, SEED.code)).map((holder) => holder.id);
  });
  afterAll(() => stack.stop());

  test("relay-compiler compiles test/relay against schema/client.graphql, and the committed artifacts are current", () => {
    const config = JSON.parse(readFileSync("relay.config.json", "utf8")) as { schema: string };
    expect(config.schema).toBe("./schema/client.graphql");
    // --validate compiles everything and exits non-zero if any artifact would change (run `npm run relay`).
    const output = execFileSync("node_modules/.bin/relay-compiler", ["--validate"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(output).toContain("compiled documents: 3 reader, 2 normalization");
  });

  test("forward: first page, then loadNext until hasNextPage is false; the store's connection is the REST list", async () => {
    const environment = relayEnvironment(stack.gateway.graphqlUrl);
    const connection = await loadFirstPage(environment, { first: PAGE });
    expect(connection().edges).toHaveLength(PAGE);
    let pages = 1;
    while (connection().pageInfo.hasNextPage) {
      await loadMore(environment, "forward", connection().pageInfo.endCursor);
      expect(++pages).toBeLessThan(10); // a stuck cursor would loop forever
    }
    const merged = connection();
    expect(pages).toBe(Math.ceil(restHolderIds.length / PAGE));
    expect(merged.edges.map((edge) => edge.node.id)).toEqual(restHolderIds);
    expect(merged.totalCount).toBe(restHolderIds.length);
    // The member's record is keyed by id + campaignId (getDataID), so a campaign-scoped read would be its own record.
    expect(environment.getStore().getSource().get(`ReferralMember:${SEED.code}:`)).toBeDefined();
    expect(merged.pageInfo).toMatchObject({
      hasNextPage: false,
      startCursor: merged.edges[0].cursor,
      endCursor: merged.edges.at(-1)!.cursor,
    });
  });

  test("backward: last page, then loadPrevious until hasPreviousPage is false; the same list, in the same order", async () => {
    const environment = relayEnvironment(stack.gateway.graphqlUrl);
    const connection = await loadFirstPage(environment, { last: PAGE });
    expect(connection().edges.map((edge) => edge.node.id)).toEqual(restHolderIds.slice(-PAGE));
    let pages = 1;
    while (connection().pageInfo.hasPreviousPage) {
      await loadMore(environment, "backward", connection().pageInfo.startCursor);
      expect(++pages).toBeLessThan(10);
    }
    const merged = connection();
    expect(pages).toBe(Math.ceil(restHolderIds.length / PAGE));
    expect(merged.edges.map((edge) => edge.node.id)).toEqual(restHolderIds);
    expect(merged.pageInfo).toMatchObject({ hasPreviousPage: false, startCursor: merged.edges[0].cursor });
  });
});
