import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator } from "../auth/authenticator.js";
import type { Caller } from "../auth/caller.js";
import type { Config } from "../config.js";
import type { GatewayContext } from "./gateway-context.js";
import { missingUpstreamCredentials } from "../errors/graphql-errors.js";
import type { SharedState } from "../shared-state/shared-state.js";
import { AnswerSources } from "../shared-state/answer-sources.js";
import { tenantOf } from "../shared-state/tenant.js";
import { AcceptedCredentials } from "../voucherify/accepted-credentials.js";
import { VoucherifyClient, type SharedAdmission } from "../voucherify/client.js";
import { createLoaders, type Loaders, type SharedReads } from "../voucherify/loaders.js";
import { OperationScope } from "../voucherify/operation-scope.js";
import type { Credentials, UpstreamTransport } from "../voucherify/transport.js";
import { FixedDelayExpiry } from "../lib/fixed-delay-expiry.js";
import { firstHeaderValue } from "../lib/header-value.js";
import { recordOperationRefusal } from "../observability/operation-span.js";
import { unsampledTraceOf, type UnsampledTrace } from "../observability/request-trace.js";

/** Builds one GraphQL request's context: called by Apollo once the request is known to be GraphQL. */
export type ContextFactory = (
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  router: boolean,
  /** The caller, when already authenticated from the headers (src/http/routes.ts); otherwise authenticated here. */
  caller?: Promise<Caller>,
) => Promise<GatewayContext>;

function header(request: IncomingMessage, name: string): string | undefined {
  return firstHeaderValue(request.headers[name]);
}

/** `Cache-Control: no-cache` (or no-store, or Pragma: no-cache): this request reads upstream, not the cache. */
function wantsFresh(request: IncomingMessage): boolean {
  const cacheControl = header(request, "cache-control");
  const pragma = header(request, "pragma");
  return (
    (cacheControl !== undefined && /\bno-(cache|store)\b/i.test(cacheControl)) || (pragma !== undefined && /\bno-cache\b/i.test(pragma))
  );
}

/**
 * Whose quota a client spends and who may read the replicas' cache with it. Cache keys name the application, never
 * its token: a client's own credentials read the cache only once the upstream has accepted that exact token in this
 * process (otherwise a wrong token could read a tenant's entries).
 */
export class UpstreamAdmissions {
  readonly accepted = new AcceptedCredentials();
  // The server's own application is asked for on every request: its tenant hash and admission are made once.
  private readonly serverTenant: { appId: string; tenant: string } | null;
  private readonly serverAdmission: SharedAdmission | null;

  constructor(
    private readonly shared: SharedState,
    private readonly upstreamUrl: string,
    serverCredentials: Credentials | null,
  ) {
    this.serverTenant = serverCredentials
      ? { appId: serverCredentials.appId, tenant: tenantOf(upstreamUrl, serverCredentials.appId) }
      : null;
    this.serverAdmission = this.serverTenant ? { gate: shared.gate, tenant: this.serverTenant.tenant } : null;
  }

  of(credentials: Credentials, clientOwned = false): SharedAdmission {
    if (!clientOwned && this.serverAdmission && this.serverTenant?.appId === credentials.appId) return this.serverAdmission;
    const tenant =
      this.serverTenant?.appId === credentials.appId ? this.serverTenant.tenant : tenantOf(this.upstreamUrl, credentials.appId);
    return {
      gate: this.shared.gate,
      tenant,
      onAccepted: clientOwned ? () => this.accepted.add(credentials) : undefined,
    };
  }
}

/**
 * One request's context. Its loaders are made on first use: a request served an answer kept whole loads nothing.
 * (A class, not a getter in an object literal: the getter's closure would share, and keep alive, the factory's scope.)
 */
class RequestContext implements GatewayContext {
  keptAnswer: GatewayContext["keptAnswer"] = undefined;
  private made: Loaders | undefined = undefined;

  constructor(
    readonly caller: Caller,
    readonly voucherify: VoucherifyClient,
    readonly requestId: string,
    readonly reads: SharedReads,
    readonly trace: UnsampledTrace | undefined,
  ) {}

  get loaders(): Loaders {
    return (this.made ??= createLoaders(this.voucherify, this.reads));
  }
}

export function createContextFactory(deps: {
  config: Config;
  /** Server-side credentials; null only when clients must bring their own. */
  credentials: Credentials | null;
  authenticator: Authenticator;
  transport: UpstreamTransport;
  shared: SharedState;
  admissions: UpstreamAdmissions;
}): ContextFactory {
  const { config, authenticator, transport, shared, admissions } = deps;
  // Every operation's deadline under one timer (they all last operationTimeoutMs), not a timer per request.
  const deadlines = new FixedDelayExpiry<OperationScope>(config.operationTimeoutMs, (scope) => scope.expire());
  return async (request, response, requestId, router, known) => {
    // Who is calling comes first: a refused caller costs no upstream call and sees nothing of the schema.
    // A refusal here ends the request before any plugin runs: its code is put on the operation's span now.
    const caller = await (known ?? authenticator.authenticate(request, router)).catch((error: unknown) => {
      recordOperationRefusal(error);
      throw error;
    });
    const clientId = header(request, "x-app-id");
    const clientToken = header(request, "x-app-token");
    // Client credentials are honoured only when the operator allows it; otherwise they are ignored entirely.
    const credentials =
      config.voucherify.allowClientCredentials && clientId && clientToken ? { appId: clientId, appToken: clientToken } : deps.credentials;
    if (!credentials) {
      throw missingUpstreamCredentials();
    }
    // The operation ends at its deadline or when its client goes away, whichever is first; either way its pending
    // upstream reads stop rather than spend the rate limit for nobody.
    const scope = new OperationScope();
    deadlines.add(scope);
    response.once("close", () => {
      deadlines.remove(scope);
      // Only an answer that never finished means the client went away; a finished one has nothing left to stop.
      if (!response.writableFinished) scope.abandon();
    });
    const clientOwned = credentials !== deps.credentials;
    const admission = admissions.of(credentials, clientOwned);
    const trace = unsampledTraceOf(request);
    const voucherify = new VoucherifyClient(transport, credentials, { requestId, scope, admission, trace });
    const noCache = wantsFresh(request);
    const fresh = noCache || (clientOwned && !admissions.accepted.has(credentials));
    // What the answer is built from is recorded only when answers may be kept (src/shared-state/answer-cache.ts).
    const reads = {
      cache: shared.cache,
      tenant: admission.tenant,
      fresh,
      noCache,
      sources: shared.answers ? new AnswerSources() : undefined,
    };
    return new RequestContext(caller, voucherify, requestId, reads, trace);
  };
}
