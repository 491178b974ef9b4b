import autocannon, { type Result } from "autocannon";

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Every response must be exactly this body, or it counts as an error (autocannon's `mismatches`). */
  expectBody: string;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  /** Milliseconds, from every response's own timing (microsecond resolution; autocannon's histogram keeps whole ms). */
  latencyMs: LatencySummary;
  errors: { total: number; errors: number; timeouts: number; mismatches: number; non2xx: number; resets: number };
}

/** Response times of one run, kept as floats: at c=1 the differences we look for are well under a millisecond. */
class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  private count = 0;

  record(ms: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.count).sort();
    if (sorted.length === 0) return { p50: 0, p90: 0, p99: 0, mean: 0, max: 0 };
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    let sum = 0;
    for (const value of sorted) sum += value;
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      mean: round(sum / sorted.length),
      max: round(sorted[sorted.length - 1]),
    };
  }
}

/** How long a run lasts: a time, or a number of requests (for fronts whose speed says nothing, e.g. under valgrind). */
export type RunLength = { seconds: number } | { requests: number };

function run(spec: LoadSpec, length: RunLength, recorder?: LatencyRecorder): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        connections: spec.connections,
        ...("seconds" in length ? { duration: length.seconds } : { amount: length.requests }),
        timeout: "seconds" in length ? 10 : 120,
        expectBody: spec.expectBody,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (recorder) instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => recorder.record(ms));
  });
}

/** Load whose results are discarded: JIT, sockets and caches settle first. */
export async function warmUp(spec: LoadSpec, length: RunLength = { seconds: spec.warmupSeconds }): Promise<void> {
  if ("requests" in length || length.seconds > 0) await run(spec, length);
}

/**
 * A closed-loop run of a fixed duration (or number of requests): `connections` clients, each sending its next request
 * when the last is answered.
 */
export async function measure(spec: LoadSpec, length: RunLength = { seconds: spec.durationSeconds }): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  const result = await run(spec, length, recorder);
  const errors = {
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    non2xx: result.non2xx,
    resets: result.resets,
    total: 0,
  };
  errors.total = errors.errors + errors.timeouts + errors.mismatches + errors.non2xx + errors.resets;
  return {
    connections: spec.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: recorder.summary(),
    errors,
  };
}
