import http, { type Server } from "node:http";
import { Pool } from "undici";
import { MEMBER_ID } from "./lanes.js";

/** The upstream holder fields the floor maps (snake_case, as the REST API answers). */
interface UpstreamHolder {
  id: string;
  created_at: string;
  holder_role: string;
  customer_id: string;
  redeemable_id: string;
  redeemable_object: string;
  campaign_id?: string | null;
  campaign_type?: string | null;
  voucher_type: string;
  metadata?: Record<string, unknown> | null;
}

const cursorOf = (holderId: string) => Buffer.from(`h1:${holderId}:${MEMBER_ID}`, "utf8").toString("base64url");

/**
 * The floor of any GraphQL answer to the bench's page: node:http in, the JSON body read and parsed, one undici call
 * (the gateway's client), the 10 holders mapped to the GraphQL answer by hand, JSON out. Nothing a gateway needs
 * (no schema, no admission, no logs, no metrics, no checks of the upstream's answer), so it is what no GraphQL server
 * can beat on this page; the bench checks that its answer is byte for byte the gateway's.
 */
export function createFloor(
  upstreamUrl: string,
  credentials: { appId: string; appToken: string },
  connections = 64,
): { server: Server; pool: Pool } {
  const pool = new Pool(new URL(upstreamUrl).origin, { connections });
  const headers = { accept: "application/json", "x-app-id": credentials.appId, "x-app-token": credentials.appToken };
  const path = `/v1/referrals/members/${MEMBER_ID}/holders?limit=10&order=id`;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let documentId: unknown;
      try {
        ({ documentId } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { documentId?: unknown });
      } catch {
        documentId = undefined;
      }
      if (typeof documentId !== "string") {
        response.writeHead(400).end();
        return;
      }
      pool
        .request({ method: "GET", path, headers })
        .then((answer) => answer.body.json() as Promise<{ data: UpstreamHolder[]; total: number; has_more: boolean }>)
        .then((page) => {
          const edges = page.data.map((h) => ({
            cursor: cursorOf(h.id),
            node: {
              id: h.id,
              createdAt: h.created_at,
              holderRole: h.holder_role,
              customerId: h.customer_id,
              redeemableId: h.redeemable_id,
              redeemableObject: h.redeemable_object,
              campaignId: h.campaign_id ?? null,
              campaignType: h.campaign_type ?? null,
              voucherType: h.voucher_type,
              metadata: h.metadata ?? null,
            },
          }));
          const pageInfo = {
            hasNextPage: page.has_more,
            hasPreviousPage: false,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          };
          const body = `${JSON.stringify({ data: { referralMember: { holders: { totalCount: page.total, pageInfo, edges } } } })}\n`;
          response.writeHead(200, {
            "content-type": "application/json; charset=utf-8",
            "cache-control": "no-store",
            "content-length": Buffer.byteLength(body),
          });
          response.end(body);
        })
        .catch(() => {
          if (!response.headersSent) response.writeHead(502);
          response.end();
        });
    });
  });
  server.keepAliveTimeout = 65_000;
  return { server, pool };
}
