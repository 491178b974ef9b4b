import autocannon, { type Result } from "autocannon";
import type { LatencySummary, LoadResult } from "./load.js";

export interface LoadAcrossSpec {
  /** One full URL per replica; the connections are split evenly between them, as a round-robin balancer would. */
  urls: string[];
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  connections: number;
  /** Every response must be exactly this body, or it counts as an error (autocannon's `mismatches`). */
  expectBody: string;
}

function summarize(latencies: number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  if (sorted.length === 0) return { p50: 0, p90: 0, p99: 0, mean: 0, max: 0 };
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), mean: round(mean), max: round(sorted[sorted.length - 1]) };
}

function one(spec: LoadAcrossSpec, url: string, connections: number, seconds: number, latencies?: number[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        connections,
        duration: seconds,
        timeout: 10,
        expectBody: spec.expectBody,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (latencies) instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
}

/** A closed-loop run against every URL at once (one autocannon per replica), merged as one lane. */
export async function loadAcross(spec: LoadAcrossSpec, seconds: number, record = true): Promise<LoadResult> {
  const latencies: number[] = [];
  const share = (index: number) => Math.floor(spec.connections / spec.urls.length) + (index < spec.connections % spec.urls.length ? 1 : 0);
  const results = await Promise.all(
    spec.urls.map((url, i) => one(spec, url, Math.max(1, share(i)), seconds, record ? latencies : undefined)),
  );
  const sum = (pick: (result: Result) => number) => results.reduce((total, result) => total + pick(result), 0);
  const duration = Math.max(...results.map((result) => result.duration));
  const errors = {
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    mismatches: sum((r) => r.mismatches),
    non2xx: sum((r) => r.non2xx),
    resets: sum((r) => r.resets),
    total: 0,
  };
  errors.total = errors.errors + errors.timeouts + errors.mismatches + errors.non2xx + errors.resets;
  const requests = sum((r) => r.requests.total);
  return {
    connections: spec.connections,
    durationSeconds: duration,
    requests,
    requestsPerSecond: Math.round(requests / duration),
    latencyMs: summarize(latencies),
    errors,
  };
}
