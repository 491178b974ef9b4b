import { firstHeaderValue } from "../lib/header-value.js";
import type { CustomerRecord, HolderCriteria, HolderCustomer, HolderPage, HolderRecord } from "./domain.js";
import { encodeHolderFilter } from "./filters.js";
import { toAddedHolders, toCustomerRecord, toHolderPage, UpstreamShapeError } from "./from-upstream.js";
import { toUpstreamCustomerInput } from "./to-upstream.js";
import { InvalidPathSegmentError, UpstreamBodyError, UpstreamRateLimitedError, UpstreamStatusError } from "./upstream-errors.js";
import type { OperationScope } from "./operation-scope.js";
import { retryAfterSeconds } from "./retry-after.js";
import type { UpstreamGate } from "../shared-state/upstream-gate.js";
import type { Credentials, UpstreamRequest, UpstreamTransport } from "./transport.js";
import type { UpstreamOrder } from "./upstream-types.js";
import type { UnsampledTrace } from "../observability/request-trace.js";

export interface MemberRef {
  memberId: string;
  campaignId?: string | null;
}

/** The replicas' shared admission of upstream calls, and whose quota this client spends. */
export interface SharedAdmission {
  gate: UpstreamGate;
  tenant: string;
  /** The upstream accepted these credentials (a 2xx): the cache may now answer them. */
  onAccepted?: () => void;
}

export interface ListHoldersParams extends MemberRef {
  limit: number;
  order: UpstreamOrder;
  startingAfterId?: string | null;
  filter?: HolderCriteria | null;
}

/** What one client carries besides its transport and credentials; each is optional. */
export interface VoucherifyClientOptions {
  /** The GraphQL request's id, sent upstream and logged with each call. */
  requestId?: string;
  /** The operation this client serves: once it is over (deadline passed, client gone), its reads stop. */
  scope?: OperationScope;
  /** Shared 429 back-off and plan quota (src/shared-state); absent: nothing holds calls back (tests of the client alone). */
  admission?: SharedAdmission;
  /** The request's trace when it is not sampled: its calls send its traceparent (src/observability/request-trace.ts). */
  trace?: UnsampledTrace;
}

/**
 * Voucherify's referral-holders API, one method per upstream operation. Failures are thrown as the typed family of
 * upstream-errors.ts; the GraphQL layer turns them into GraphQL errors (`mapUpstreamErrors`). Cheap to create (one per GraphQL
 * request, carrying that request's credentials and request id); the transport underneath is shared.
 */
export class VoucherifyClient {
  /**
   * Upstream calls asked of the transport through this client (one client per GraphQL request, so per operation,
   * for logs), including any the upstream gate refused.
   */
  upstreamCalls = 0;

  constructor(
    private readonly transport: UpstreamTransport,
    private readonly credentials: Credentials,
    private readonly options: VoucherifyClientOptions = {},
  ) {}

  /** `GET /v1/referrals[/{campaignId}]/members/{memberId}/holders` */
  async listHolders(params: ListHoldersParams): Promise<HolderPage> {
    return this.parse(await this.send("GET", "listHolders", `${holdersPath(params)}?${listQuery(params)}`), toHolderPage);
  }

  /** `POST /v1/referrals[/{campaignId}]/members/{memberId}/holders`: all or nothing upstream. Never retried. */
  async addHolders(
    member: MemberRef,
    holders: readonly HolderCustomer[],
    metadata?: Record<string, unknown> | null,
  ): Promise<HolderRecord[]> {
    const json = { holders: holders.map(toUpstreamCustomerInput), ...(metadata ? { metadata } : {}) };
    return this.parse(await this.send("POST", "addHolders", holdersPath(member), json), toAddedHolders);
  }

  /** `DELETE /v1/referrals[/{campaignId}]/members/{memberId}/holders/{holderId}` (204). */
  async removeHolder(member: MemberRef, holderId: string): Promise<void> {
    await this.send("DELETE", "removeHolder", `${holdersPath(member)}/${pathSegment(holderId, "holderId")}`);
  }

  /** `GET /v1/customers/{customerId}` */
  async getCustomer(customerId: string): Promise<CustomerRecord> {
    return this.parse(await this.send("GET", "getCustomer", `v1/customers/${pathSegment(customerId, "customerId")}`), toCustomerRecord);
  }

  private async send(method: UpstreamRequest["method"], endpoint: string, path: string, json?: unknown) {
    this.upstreamCalls++;
    const request: UpstreamRequest = {
      method,
      endpoint,
      path,
      json,
      credentials: this.credentials,
      requestId: this.options.requestId,
      scope: this.options.scope,
      trace: this.options.trace,
    };
    const { admission } = this.options;
    if (!admission) return this.transport.request(request);
    const { gate, tenant } = admission;
    const refusal = await gate.admit(tenant);
    if (refusal) throw new UpstreamRateLimitedError(refusal.reason, refusal.retryAfterSeconds);
    // A back-off that starts while this call waits for a connection (another call's 429) still stops it.
    request.beforeSend = () => {
      const held = gate.heldBack(tenant);
      return held ? new UpstreamRateLimitedError(held.reason, held.retryAfterSeconds) : undefined;
    };
    try {
      const response = await this.transport.request(request);
      admission.onAccepted?.();
      // The plan is spent: the next call would earn a 429, so every replica waits for the reset instead.
      if (response.headers && firstHeaderValue(response.headers["x-rate-limit-remaining"])?.trim() === "0") {
        await gate.backOff(tenant, retryAfterSeconds(response.headers));
      }
      return response;
    } catch (error) {
      // Voucherify's 429 holds every replica back until its reset (the gate's refusals are not 429 answers).
      if (error instanceof UpstreamStatusError && error.status === 429) await gate.backOff(tenant, error.retryAfterSeconds ?? 1);
      throw error;
    }
  }

  private parse<T>(response: { status: number; body: string }, map: (value: unknown) => T): T {
    let value: unknown;
    try {
      value = JSON.parse(response.body);
    } catch (error) {
      throw new UpstreamBodyError(response.status, "not JSON", { cause: error });
    }
    try {
      return map(value);
    } catch (error) {
      if (error instanceof UpstreamShapeError) throw new UpstreamBodyError(response.status, error.message, { cause: error });
      throw error;
    }
  }
}

/**
 * One path segment. encodeURIComponent leaves "." and ".." as they are, and URL normalisation (in HTTP clients,
 * proxies and servers) resolves them: memberId ".." would turn `v1/referrals/members/../holders` into another
 * endpoint called with the gateway's credentials. This is the last line of defence behind the resolvers' checks.
 */
export function pathSegment(value: string, field: string): string {
  if (value === "" || value === "." || value === "..") throw new InvalidPathSegmentError(field);
  return encodeURIComponent(value);
}

function holdersPath({ memberId, campaignId }: MemberRef): string {
  const member = `members/${pathSegment(memberId, "memberId")}/holders`;
  return campaignId ? `v1/referrals/${pathSegment(campaignId, "campaignId")}/${member}` : `v1/referrals/${member}`;
}

function listQuery(params: ListHoldersParams): string {
  const query = new URLSearchParams();
  query.set("limit", String(params.limit));
  query.set("order", params.order);
  if (params.startingAfterId) query.set("starting_after_id", params.startingAfterId);
  for (const [key, value] of encodeHolderFilter(params.filter)) query.append(key, value);
  return query.toString();
}
