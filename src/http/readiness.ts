import type { VoucherifyClient } from "../voucherify/client.js";
import { UpstreamError, UpstreamRateLimitedError, UpstreamStatusError } from "../voucherify/upstream-errors.js";

/** How long a readiness answer is reused: probes every few seconds must not spend the upstream's rate limit. */
export const READINESS_CACHE_MS = 5000;
// No real code is called this: the upstream answers 404 to valid credentials and 401 to bad ones.
const PROBE_MEMBER = "readiness-probe";

export interface Readiness {
  ready: boolean;
  checks: {
    schema: "ok";
    upstream: "ok" | "unauthenticated" | "unreachable" | "rate_limited" | "error";
    /** Where the cache and shared limits live; "degraded": Redis is away, the gateway serves uncached (still ready). */
    cache: "in-process" | "shared" | "degraded";
    /**
     * The published app deployments: "current", "stale" (the registry cannot be read: the set last loaded is served)
     * or "unloaded" (unread since the start: none is served). Still ready in all three.
     */
    appDeployments: "current" | "stale" | "unloaded";
  };
  checkedAt: string;
}

/**
 * `/readyz`: the schema is built (the server exists only after that) and the upstream answers the configured
 * credentials. A 404 for a made-up member proves both reachability and accepted credentials without touching data.
 * A 429 still counts as ready: taking every replica out of rotation would turn a rate limit into an outage.
 */
export class ReadinessProbe {
  private cached: { at: number; value: Promise<Readiness> } | null = null;

  constructor(
    private readonly client: VoucherifyClient | null,
    private readonly now: () => number = Date.now,
    private readonly cacheStatus: () => Readiness["checks"]["cache"] = () => "in-process",
    /** Told of every answer (the `gateway_ready` metric). */
    private readonly onChecked: (ready: boolean) => void = () => {},
    private readonly appDeploymentsStatus: () => Readiness["checks"]["appDeployments"] = () => "current",
  ) {}

  async check(): Promise<Readiness> {
    const now = this.now();
    if (!this.cached || now - this.cached.at >= READINESS_CACHE_MS) this.cached = { at: now, value: this.probe(now) };
    // The cache's and the app deployments' states are local and free to read: always current, never from the 5 s cache
    // of the upstream probe.
    const value = await this.cached.value;
    this.onChecked(value.ready);
    return { ...value, checks: { ...value.checks, cache: this.cacheStatus(), appDeployments: this.appDeploymentsStatus() } };
  }

  private async probe(now: number): Promise<Readiness> {
    const checkedAt = new Date(now).toISOString();
    // Without server credentials every client brings its own: there is nothing of ours to verify upstream.
    if (!this.client)
      return { ready: true, checks: { schema: "ok", upstream: "ok", cache: "in-process", appDeployments: "current" }, checkedAt };
    let upstream: Readiness["checks"]["upstream"] = "ok";
    try {
      await this.client.listHolders({ memberId: PROBE_MEMBER, limit: 1, order: "id" });
    } catch (error) {
      upstream = probeOutcome(error);
    }
    const checks = { schema: "ok", upstream, cache: "in-process", appDeployments: "current" } as const;
    return { ready: upstream === "ok" || upstream === "rate_limited", checks, checkedAt };
  }
}

/** What a failed probe says about the upstream. 404 (and 400) for the made-up member is the expected answer. */
function probeOutcome(error: unknown): Readiness["checks"]["upstream"] {
  if (!(error instanceof UpstreamError)) return "error";
  // The replicas' shared back-off or the plan's quota held the probe back: a rate limit, not an outage.
  if (error instanceof UpstreamRateLimitedError) return "rate_limited";
  if (!(error instanceof UpstreamStatusError)) return "unreachable";
  const { status } = error;
  if (status === 401 || status === 403) return "unauthenticated";
  if (status === 429) return "rate_limited";
  if (status === 409) return "error";
  if (status === 400 || status === 404 || status === 422) return "ok";
  return "unreachable";
}
