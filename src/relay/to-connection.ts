import type { Connection } from "./connection.type.js";
import type { PageRequest } from "./page-request.js";

export interface FetchedWindow<TNode> {
  /** In the order of the upstream reads: for a backward page, the reverse of the connection's order. */
  items: TNode[];
  total: number;
  /** More items lie beyond the window, in the direction of travel. */
  hasMoreBeyond: boolean;
}

/**
 * Turns what was read upstream into a Relay connection. pageInfo follows the Relay cursor connections spec, which
 * leaves the far side open: going forward, `hasNextPage` is what the upstream said and `hasPreviousPage` is true
 * when the page starts after a cursor (the item the cursor names comes before it); going backward, the mirror
 * image. graphql-relay-js's connectionFromArray differs here: it answers false for the far side.
 */
export function toConnection<TNode>(
  window: FetchedWindow<TNode>,
  request: PageRequest,
  cursorOf: (node: TNode) => string,
): Connection<TNode> {
  const nodes = request.direction === "forward" ? window.items : [...window.items].reverse();
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  const hasCursor = request.cursorId !== null;
  return {
    edges,
    nodes,
    totalCount: window.total,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasNextPage: request.direction === "forward" ? window.hasMoreBeyond : hasCursor,
      hasPreviousPage: request.direction === "forward" ? hasCursor : window.hasMoreBeyond,
    },
  };
}
