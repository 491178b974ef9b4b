import { createHash } from "node:crypto";

/** What each lane sends. All lanes read the same holders page of WELCOME-REF, so their answers are comparable. */

export const MEMBER_ID = "WELCOME-REF";

export interface LaneRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Lanes (a) and (b): the REST call the gateway itself makes for `holders(first: 10)`. */
export function restHoldersRequest(credentials: { appId: string; appToken: string }, limit = 10): LaneRequest {
  return {
    method: "GET",
    path: `/v1/referrals/members/${MEMBER_ID}/holders?limit=${limit}`,
    headers: { "x-app-id": credentials.appId, "x-app-token": credentials.appToken, accept: "application/json" },
  };
}

const HOLDER_FIELDS = "id createdAt holderRole customerId redeemableId redeemableObject campaignId campaignType voucherType metadata";

/** Lane (c): every holder field, no customer fields (those cost one upstream customer read per holder). */
export function holdersQuery(first: number, withCustomer = false, name = "BenchHolders"): string {
  const customer = withCustomer ? " customer { name email }" : "";
  return (
    `query ${name} { referralMember(memberId: "${MEMBER_ID}") { holders(first: ${first}) { totalCount ` +
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } " +
    `edges { cursor node { ${HOLDER_FIELDS}${customer} } } } } }`
  );
}

/**
 * The trusted documents the bench's gateways register: the general lanes' two reads under another operation name (the
 * same answers). Not the same text: a document sent as the text of a trusted one runs as that document, on the fast
 * path, and the general lanes must measure Apollo Server's pipeline.
 */
export const TRUSTED_BENCH_DOCUMENTS = [holdersQuery(10, false, "BenchHoldersTrusted"), holdersQuery(10, true, "BenchHoldersTrusted")];

/** The id a client sends for a trusted document: graphql-codegen's `sha256:<hex>` of its text. */
export function documentIdOf(document: string): string {
  return `sha256:${createHash("sha256").update(document).digest("hex")}`;
}

/** A manifest in the plain `{"<id>": "<document>"}` form (relay-compiler, graphql-codegen), for TRUSTED_DOCUMENTS. */
export function trustedManifest(documents: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(documents.map((document) => [documentIdOf(document), document])));
}

/** Lanes (t): a trusted document by id, no document text on the wire. */
export function trustedRequest(document: string): LaneRequest {
  return {
    method: "POST",
    path: "/graphql",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ documentId: documentIdOf(document) }),
  };
}

export function graphqlRequest(query: string): LaneRequest {
  return {
    method: "POST",
    path: "/graphql",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  };
}

/**
 * Sends the request once and returns the body every response under load must equal. Checks the shape too,
 * so a lane that answers errors fast is never reported as fast.
 */
export async function referenceBody(baseUrl: string, request: LaneRequest, expectedItems: number): Promise<string> {
  const response = await fetch(new URL(request.path, baseUrl), { method: request.method, headers: request.headers, body: request.body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  const items = Array.isArray(body.data)
    ? body.data.length
    : (body.data as { referralMember?: { holders?: { edges?: unknown[] } } } | undefined)?.referralMember?.holders?.edges?.length;
  if (body.errors || items !== expectedItems)
    throw new Error(`unexpected answer (${items} items, want ${expectedItems}): ${text.slice(0, 500)}`);
  return text;
}
