import type { KeySetStatus } from "../auth/remote-key-set.js";
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
     * The keys that verify callers' tokens (AUTH_JWT_JWKS_URL): "keys unavailable" while the key server fails. Not
     * ready while no key was ever fetched (every bearer token gets 503); ready, with a warning, while the keys
     * fetched before still verify.
     */
    auth: "ok" | "keys unavailable";
    /**
     * The published app deployments: "current", "stale" (the registry cannot be read: the set last loaded is served)
     * or "unloaded" (unread since the start: none is served). Still ready in all three.
     */
    appDeployments: "current" | "stale" | "unloaded";
  };
  /** What an operator should know although the replica is ready (the key server failing, cached keys in use). */
  warnings?: string[];
  checkedAt: string;
}

export interface ReadinessOptions {
  now?: () => number;
  /** Where the cache lives now (read at every check: local and free). */
  cacheStatus?: () => Readiness["checks"]["cache"];
  /** What the verification keys allow now (read at every check). */
  keyStatus?: () => Promise<KeySetStatus>;
  /** Told of every answer (the `gateway_ready` metric). */
  onChecked?: (ready: boolean) => void;
  /** Whether the app deployments served are the registry's (read at every check). */
  appDeploymentsStatus?: () => Readiness["checks"]["appDeployments"];
}

/**
 * `/readyz`: the schema is built (the server exists only after that), the upstream answers the configured
 * credentials, and callers' tokens can be verified. A 404 for a made-up member proves both reachability and accepted
 * credentials without touching data. A 429 still counts as ready: taking every replica out of rotation would turn a
 * rate limit into an outage.
 */
export class ReadinessProbe {
  private cached: { at: number; value: Promise<Readiness> } | null = null;
  private readonly now: () => number;

  constructor(
    private readonly client: VoucherifyClient | null,
    private readonly options: ReadinessOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async check(): Promise<Readiness> {
    const now = this.now();
    if (!this.cached || now - this.cached.at >= READINESS_CACHE_MS) this.cached = { at: now, value: this.probe(now) };
    // The cache's, the keys' and the app deployments' states are local and free to read: always current, never from
    // the 5 s cache of the upstream probe.
    const [value, keys] = await Promise.all([this.cached.value, this.options.keyStatus?.() ?? { keys: "ok" as const }]);
    const cache = this.options.cacheStatus?.() ?? "in-process";
    const appDeployments = this.options.appDeploymentsStatus?.() ?? "current";
    const auth = keys.keys === "ok" ? "ok" : "keys unavailable";
    const ready = value.ready && keys.keys !== "unavailable";
    this.options.onChecked?.(ready);
    const answer: Readiness = { ...value, ready, checks: { ...value.checks, cache, auth, appDeployments } };
    if (keys.keys === "cached") {
      answer.warnings = [
        `auth: the key server fails since ${keys.failingSince.toISOString()} (${keys.error}); ` +
          "tokens are verified with the keys fetched before it did",
      ];
    }
    return answer;
  }

  private async probe(now: number): Promise<Readiness> {
    const checkedAt = new Date(now).toISOString();
    // Without server credentials every client brings its own: there is nothing of ours to verify upstream.
    if (!this.client) {
      return {
        ready: true,
        checks: { schema: "ok", upstream: "ok", cache: "in-process", auth: "ok", appDeployments: "current" },
        checkedAt,
      };
    }
    let upstream: Readiness["checks"]["upstream"] = "ok";
    try {
      await this.client.listHolders({ memberId: PROBE_MEMBER, limit: 1, order: "id" });
    } catch (error) {
      upstream = probeOutcome(error);
    }
    const checks = { schema: "ok", upstream, cache: "in-process", auth: "ok", appDeployments: "current" } as const;
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
