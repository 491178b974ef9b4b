import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody } from "../http/read-body.js";
import type { UpstreamHolderList } from "../voucherify/upstream-types.js";
import { addHolders, checkAddHoldersBody } from "./add-holders.js";
import {
  cannotRemoveReferrer,
  EmulatorError,
  invalidPayload,
  invalidQuery,
  methodNotAllowed,
  nextRequestId,
  notFound,
  payloadTooLarge,
  routeNotFound,
  unauthorized,
} from "./errors.js";
import type { FaultInjector, FaultSpec, RecordedRequest } from "./faults.js";
import { EMPTY_WHERE, parseHolderFilters } from "./filters.js";
import type { EmulatorStore, ListOrder, VoucherRow } from "./store.js";
import { toUpstreamCustomer, toUpstreamHolder } from "./views.js";
import { messageOf } from "../lib/thrown.js";
import { isOneOf } from "../lib/one-of.js";

const MAX_BODY_BYTES = 1024 * 1024;
/** Past this much of an oversized body we stop draining politely and drop the connection. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
/** Voucherify does not document a default order; ascending ids (= creation order) is the one we promise. */
export const DEFAULT_ORDER: ListOrder = "id";
const LIST_ORDERS: readonly ListOrder[] = ["id", "-id"];

export interface AppContext {
  store: EmulatorStore;
  appId: string;
  appToken: string;
  faults: FaultInjector;
  requests: RecordedRequest[];
  maxRecordedRequests: number;
  timers: Set<NodeJS.Timeout>;
}

interface Reply {
  status: number;
  body?: unknown; // undefined = no body (204)
}

type Route =
  | { kind: "holders"; campaignId?: string; memberId: string }
  | { kind: "holder"; campaignId?: string; memberId: string; holderId: string }
  | { kind: "customer"; customerId: string };

const ALLOWED: Record<Route["kind"], readonly string[]> = { holders: ["GET", "POST"], holder: ["DELETE"], customer: ["GET"] };
const JSON_TYPE = "application/json; charset=utf-8";

export function createRequestListener(ctx: AppContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(ctx, req, res).catch((err: unknown) => {
      // Only a bug gets here; answer like an upstream 500 rather than leaving the client hanging.
      if (!res.headersSent)
        send(res, 500, {
          code: 500,
          key: "internal_error",
          message: "Internal Server Error",
          details: String(err),
          request_id: nextRequestId(),
        });
    });
  };
}

async function handle(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const queryStart = url.indexOf("?");
  const callerRequestId = req.headers["x-request-id"];
  const traceparent = req.headers.traceparent;
  const recorded: RecordedRequest = {
    method: req.method ?? "GET",
    path: queryStart < 0 ? url : url.slice(0, queryStart),
    query: queryStart < 0 ? "" : url.slice(queryStart + 1),
    ...(typeof callerRequestId === "string" ? { requestId: callerRequestId } : {}),
    ...(typeof traceparent === "string" ? { traceparent } : {}),
  };
  ctx.requests.push(recorded);
  // A long-running emulator (npm start, benchmarks) must not grow without limit; trim in batches to stay O(1) amortised.
  if (ctx.requests.length > ctx.maxRecordedRequests + 1000) ctx.requests.splice(0, ctx.requests.length - ctx.maxRecordedRequests);

  const fault = ctx.faults.take(recorded);
  if (fault && (await applyFault(ctx, fault, req, res))) return;

  const requestId = nextRequestId();
  try {
    if (req.headers["x-app-id"] !== ctx.appId || req.headers["x-app-token"] !== ctx.appToken) throw unauthorized();
    const route = matchRoute(recorded.path);
    if (!route) throw routeNotFound(recorded.method, recorded.path);
    if (!ALLOWED[route.kind].includes(recorded.method)) throw methodNotAllowed(recorded.method, ALLOWED[route.kind]);
    const body = recorded.method === "POST" ? await readJson(req) : undefined;
    const reply = dispatch(ctx.store, route, recorded, body);
    if (fault?.afterHandler === "drop") {
      req.socket.destroy();
      return;
    }
    send(res, reply.status, reply.body, fault?.planSpentForSeconds === undefined ? undefined : planSpent(fault.planSpentForSeconds));
  } catch (err) {
    if (!(err instanceof EmulatorError)) throw err;
    send(res, err.status, err.toBody(requestId), err.headers);
  }
}

function dispatch(store: EmulatorStore, route: Route, recorded: RecordedRequest, body: unknown): Reply {
  if (route.kind === "customer") {
    const customer = store.customerById(route.customerId) ?? store.customerBySourceId(route.customerId);
    if (!customer) throw notFound("customer", route.customerId);
    return { status: 200, body: toUpstreamCustomer(customer) };
  }
  const voucher = resolveMember(store, route.campaignId, route.memberId);
  if (route.kind === "holder") return removeHolder(store, voucher, route.holderId);
  if (recorded.method === "GET") return { status: 200, body: listHolders(store, voucher, recorded.query) };
  const holders = addHolders(store, voucher, checkAddHoldersBody(body));
  return { status: 200, body: { holders } };
}

/** The campaign (when in the path) is checked first, then the code must exist and belong to it. */
function resolveMember(store: EmulatorStore, campaignId: string | undefined, memberId: string): VoucherRow {
  if (campaignId !== undefined && !store.campaign(campaignId)) throw notFound("campaign", campaignId);
  const voucher = store.voucher(memberId);
  if (!voucher || (campaignId !== undefined && voucher.campaign_id !== campaignId)) throw notFound("voucher", memberId);
  return voucher;
}

function listHolders(store: EmulatorStore, voucher: VoucherRow, query: string): UpstreamHolderList {
  const params = query ? new URLSearchParams(query) : undefined;
  const limitParam = params?.get("limit");
  let limit = DEFAULT_LIMIT;
  if (limitParam != null) {
    limit = /^\d+$/.test(limitParam) ? Number(limitParam) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT))
      throw invalidQuery(`Query parameter limit must be an integer between 1 and ${MAX_LIMIT}, got "${limitParam}"`);
  }
  const orderParam = params?.get("order");
  if (orderParam != null && !isOneOf(LIST_ORDERS, orderParam))
    throw invalidQuery(`Query parameter order must be "id" or "-id", got "${orderParam}"`);
  const order: ListOrder = orderParam ?? DEFAULT_ORDER;
  const after = params?.get("starting_after_id") ?? undefined;
  if (after !== undefined) {
    const cursor = store.holder(after);
    if (!cursor || cursor.voucher_id !== voucher.id) {
      throw invalidQuery(`Query parameter starting_after_id "${after}" is not a holder of voucher ${voucher.id}`);
    }
  }
  const where = params && query.includes("filters") ? parseHolderFilters(params) : EMPTY_WHERE;

  const { rows, total } = store.listHolders(voucher.id, where, order, after, limit);
  const hasMore = rows.length > limit;
  const data = (hasMore ? rows.slice(0, limit) : rows).map((row) => toUpstreamHolder(row, voucher));
  const list: UpstreamHolderList = { object: "list", data_ref: "data", data, total, has_more: hasMore };
  if (hasMore) list.more_starting_after = data[data.length - 1].id;
  return list;
}

function removeHolder(store: EmulatorStore, voucher: VoucherRow, holderId: string): Reply {
  const holder = store.holder(holderId);
  if (!holder || holder.voucher_id !== voucher.id) throw notFound("redeemable_holder", holderId);
  if (holder.holder_role === "REFERRER") throw cannotRemoveReferrer();
  store.deleteHolder(holderId);
  return { status: 204 };
}

/**
 * `/v1/referrals[/{campaignId}]/members/{memberId}/holders[/{holderId}]` and `/v1/customers/{customerId}`.
 * Segments are split before decoding, so an encoded "/" inside a code cannot change the route.
 */
function matchRoute(path: string): Route | undefined {
  const raw = path.length > 1 && path.endsWith("/") ? path.slice(1, -1) : path.slice(1);
  let segments: string[];
  try {
    segments = raw.split("/").map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments[0] !== "v1") return undefined;
  if (segments[1] === "customers" && segments.length === 3 && segments[2]) return { kind: "customer", customerId: segments[2] };
  if (segments[1] !== "referrals") return undefined;
  // Without campaign: referrals/members/{m}/holders[/{h}]; with: referrals/{c}/members/{m}/holders[/{h}].
  const withCampaign = segments[3] === "members" && segments[5] === "holders";
  const base = withCampaign ? 4 : 3;
  if (!withCampaign && !(segments[2] === "members" && segments[4] === "holders")) return undefined;
  const campaignId = withCampaign ? segments[2] : undefined;
  const memberId = segments[base];
  if (!memberId || campaignId === "") return undefined;
  if (segments.length === base + 2) return { kind: "holders", campaignId, memberId };
  if (segments.length === base + 3 && segments[base + 2]) return { kind: "holder", campaignId, memberId, holderId: segments[base + 2] };
  return undefined;
}

/** Reads at most MAX_BODY_BYTES; a larger body is drained (so the client can read our 413) and answered 413. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req, { limit: MAX_BODY_BYTES, drainUpTo: MAX_DRAIN_BYTES }).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? payloadTooLarge(MAX_BODY_BYTES) : error;
  });
  if (text.trim() === "") throw invalidPayload("Request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidPayload(`Request body is not valid JSON: ${messageOf(error)}`);
  }
}

async function applyFault(ctx: AppContext, fault: FaultSpec, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (fault.latencyMs) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ctx.timers.delete(timer);
        resolve();
      }, fault.latencyMs);
      ctx.timers.add(timer);
    });
  }
  // Held until the test says so: a request "in flight" for exactly as long as a test needs, with no timing guess.
  if (fault.holdUntil) await fault.holdUntil;
  if (fault.dropConnection) {
    req.socket.destroy();
    return true;
  }
  if (fault.status === undefined) return false;
  const body =
    fault.body ?? JSON.stringify({ code: fault.status, key: "injected_fault", message: "Injected fault", request_id: nextRequestId() });
  const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
  for (const [name, value] of Object.entries(fault.headers ?? {})) headers[name.toLowerCase()] = value;
  res.writeHead(fault.status, headers);
  res.end(body);
  return true;
}

/** Voucherify's rate-limit headers on an answer that used the plan's last request. */
function planSpent(seconds: number): Record<string, string> {
  return { "x-rate-limit-remaining": "0", "x-rate-limit-retry": String(Math.floor(Date.now() / 1000) + seconds) };
}

function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
