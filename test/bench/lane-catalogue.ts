/**
 * Every lane of `npm run bench`, as data: what serves it, with which settings, what it sends and which answer each of
 * its responses must equal. A new lane is one entry here (run.ts starts what it names; report.ts shows it).
 */

/** What a lane's requests are: REST to the upstream, or the 10-holder page as GraphQL (text or trusted id). */
export type LaneRequestKind = "rest" | "page" | "page+customers" | "trusted page" | "trusted page+customers";

/** The answer every response of a lane is compared with, byte for byte (the uncached gateway's, for GraphQL lanes). */
export type ReferenceAnswer = "rest" | "page" | "page+customers";

export interface LaneDefinition {
  name: string;
  /** How the lane is named in tables. */
  label: string;
  /** What answers: the emulator itself, the pass-through proxy, the hand-written floor, or a gateway. */
  front: "direct" | "proxy" | "floor" | "gateway";
  request: LaneRequestKind;
  answer: ReferenceAnswer;
  /** Gateways: the read cache on (default TTLs), in this process or on a Redis the bench runs. Default: off. */
  cache?: "in-process" | "redis";
  /** Gateways: tracing on, exported over OTLP to a sink the bench runs. Default: off (no SDK loaded). */
  tracing?: { sampler: "always_on" } | { sampler: "parentbased_traceidratio"; ratio: number };
  /** Gateways: further settings (environment) over the bench's. */
  env?: Record<string, string>;
  /** The lane this one is the same as but for its settings: its CPU is also shown as a ratio to that lane's. */
  twin?: string;
}

export const LANES: readonly LaneDefinition[] = [
  { name: "direct", label: "direct REST (no front)", front: "direct", request: "rest", answer: "rest" },
  { name: "proxy", label: "pass-through proxy (node:http + undici)", front: "proxy", request: "rest", answer: "rest" },
  { name: "floor", label: "floor: a GraphQL answer written by hand", front: "floor", request: "trusted page", answer: "page" },
  { name: "general", label: "general path (document text)", front: "gateway", request: "page", answer: "page" },
  {
    name: "general+customers",
    label: "general path + customer { name email } (11 upstream calls)",
    front: "gateway",
    request: "page+customers",
    answer: "page+customers",
    twin: "general",
  },
  { name: "trusted", label: "trusted document by id, cache off (a miss)", front: "gateway", request: "trusted page", answer: "page" },
  {
    name: "trusted+customers",
    label: "trusted + customer { name email } (11 upstream calls)",
    front: "gateway",
    request: "trusted page+customers",
    answer: "page+customers",
    twin: "trusted",
  },
  {
    name: "trusted-hit",
    label: "trusted, in-process cache on (hits)",
    front: "gateway",
    request: "trusted page",
    answer: "page",
    cache: "in-process",
    twin: "trusted",
  },
  {
    name: "trusted-hit-redis",
    label: "trusted, cache on Redis (hits)",
    front: "gateway",
    request: "trusted page",
    answer: "page",
    cache: "redis",
    twin: "trusted",
  },
  {
    name: "trusted+warn",
    label: "trusted, LOG_LEVEL=warn (no operation line)",
    front: "gateway",
    request: "trusted page",
    answer: "page",
    env: { LOG_LEVEL: "warn" },
    twin: "trusted",
  },
  {
    name: "trusted+tracing-10%",
    label: "trusted, tracing parentbased_traceidratio 0.1",
    front: "gateway",
    request: "trusted page",
    answer: "page",
    tracing: { sampler: "parentbased_traceidratio", ratio: 0.1 },
    twin: "trusted",
  },
  {
    name: "trusted+tracing",
    label: "trusted, tracing always on",
    front: "gateway",
    request: "trusted page",
    answer: "page",
    tracing: { sampler: "always_on" },
    twin: "trusted",
  },
];

export function laneNamed(name: string): LaneDefinition {
  const lane = LANES.find((l) => l.name === name);
  if (!lane) throw new Error(`no bench lane named "${name}" (lanes: ${LANES.map((l) => l.name).join(", ")})`);
  return lane;
}
