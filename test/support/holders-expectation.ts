import type { EmulatorHandle } from "../../src/emulator/emulator.js";
import type { UpstreamHolder, UpstreamHolderList } from "../../src/voucherify/upstream-types.js";

/**
 * The expected side of the connection tests: what the gateway should answer, computed from the emulator's own
 * REST answer (never from the gateway), so a test compares two independent paths to the same data.
 */

/** Every holder field of the public contract, with `customer { id }` (no extra upstream call). */
export const HOLDER_FIELDS = `id createdAt holderRole customerId customer { id } redeemableId redeemableObject
  campaignId campaignType voucherType metadata`;

/** A whole connection selection: edges with cursors, nodes, pageInfo and totalCount. */
export const CONNECTION_FIELDS = `totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { ${HOLDER_FIELDS} } }
  nodes { ${HOLDER_FIELDS} }`;

export interface GraphQLHolder {
  id: string;
  createdAt: string;
  holderRole: string;
  customerId: string;
  customer: { id: string };
  redeemableId: string;
  redeemableObject: string;
  campaignId: string | null;
  campaignType: string | null;
  voucherType: string;
  metadata: Record<string, unknown> | null;
}

export interface GraphQLConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: GraphQLHolder }[];
  nodes: GraphQLHolder[];
}

/** GET on the emulator with its own credentials, as a REST client of Voucherify would. */
export async function restGet<T>(emulator: EmulatorHandle, pathAndQuery: string): Promise<T> {
  const response = await fetch(`${emulator.url}${pathAndQuery}`, {
    headers: { "X-App-Id": emulator.appId, "X-App-Token": emulator.appToken },
  });
  if (response.status !== 200) throw new Error(`GET ${pathAndQuery}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** All holders of a member (at most 100: enough for the seeded data) in upstream order `id`. */
export async function restHolders(emulator: EmulatorHandle, memberId: string, query = ""): Promise<UpstreamHolderList> {
  return restGet<UpstreamHolderList>(emulator, `/v1/referrals/members/${encodeURIComponent(memberId)}/holders?limit=100${query}`);
}

/** Every holder of a member, following `more_starting_after` past the upstream's 100 per page. */
export async function restAllHolders(emulator: EmulatorHandle, memberId: string): Promise<UpstreamHolder[]> {
  const all: UpstreamHolder[] = [];
  let after = "";
  for (let pages = 0; pages < 20; pages++) {
    const page = await restHolders(emulator, memberId, after ? `&starting_after_id=${after}` : "");
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.more_starting_after!;
  }
  throw new Error("paging did not end");
}

/** The upstream holder as the public GraphQL contract shows it. */
export function toGraphQLShape(holder: UpstreamHolder): GraphQLHolder {
  return {
    id: holder.id,
    createdAt: new Date(holder.created_at).toISOString(),
    holderRole: holder.holder_role,
    customerId: holder.customer_id,
    customer: { id: holder.customer_id },
    redeemableId: holder.redeemable_id,
    redeemableObject: holder.redeemable_object,
    campaignId: holder.campaign_id ?? null,
    campaignType: holder.campaign_type ?? null,
    voucherType: holder.voucher_type,
    metadata: (holder.metadata as Record<string, unknown> | undefined) ?? null,
  };
}

/**
 * The Relay page `all[start, end)` of a list whose every holder is known: graphql-relay-js pageInfo, with
 * hasPreviousPage/hasNextPage as docs/frontend/paging.md states them (true on the side a cursor was given, or where more lie).
 */
export function expectedPage(
  all: GraphQLHolder[],
  window: { start: number; end: number; direction: "forward" | "backward"; cursorGiven: boolean; totalCount?: number },
  cursorOf: (holder: GraphQLHolder) => string,
): GraphQLConnection {
  const nodes = all.slice(window.start, window.end);
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  const forward = window.direction === "forward";
  return {
    totalCount: window.totalCount ?? all.length,
    pageInfo: {
      hasNextPage: forward ? window.end < all.length : window.cursorGiven,
      hasPreviousPage: forward ? window.cursorGiven : window.start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    edges,
    nodes,
  };
}
