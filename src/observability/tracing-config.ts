/**
 * OpenTelemetry's standard variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
 * read and checked here like every other setting: a bad value is a start-up problem (exit 2), never a silent default.
 * The SDK would read most of them by itself, but it logs a bad sampler and goes on; here the operator is told.
 */

export type SamplerName =
  "always_on" | "always_off" | "traceidratio" | "parentbased_always_on" | "parentbased_always_off" | "parentbased_traceidratio";

const SAMPLERS: readonly SamplerName[] = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

export interface TracingConfig {
  /** The OTLP/HTTP traces URL (…/v1/traces); may carry credentials, so never print it as is (see describeTracing). */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP[_TRACES]_HEADERS: sent with every export (an API key, typically): never printed. */
  headers: Record<string, string>;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded. */
  resourceAttributes: Record<string, string>;
  sampler: SamplerName;
  /** The ratio of the traceidratio samplers (0..1); 1 for the others. */
  samplerRatio: number;
}

export const DEFAULT_SERVICE_NAME = "referrals-gateway";
const DEFAULT_SAMPLER: SamplerName = "parentbased_always_on";

/** The rows of ENVIRONMENT (src/config.ts) for tracing: --help, .env.example and docs/operators/configuration.md. */
export const TRACING_ENVIRONMENT: ReadonlyArray<{ name: string; meaning: string; default: string }> = [
  {
    name: "OTEL_EXPORTER_OTLP_ENDPOINT",
    meaning: "OTLP/HTTP collector base URL (traces go to <url>/v1/traces); unset = tracing off, no SDK loaded",
    default: "unset (tracing off)",
  },
  {
    name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    meaning: "Full OTLP/HTTP traces URL (used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT)",
    default: "unset",
  },
  { name: "OTEL_EXPORTER_OTLP_HEADERS", meaning: "Headers sent with every export, key=value,key2=value2 (an API key)", default: "unset" },
  {
    name: "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    meaning: "Headers for trace exports only (added to OTEL_EXPORTER_OTLP_HEADERS)",
    default: "unset",
  },
  { name: "OTEL_EXPORTER_OTLP_PROTOCOL", meaning: "Only http/protobuf is supported (OTLP over HTTP)", default: "http/protobuf" },
  { name: "OTEL_SERVICE_NAME", meaning: "service.name of every span", default: DEFAULT_SERVICE_NAME },
  {
    name: "OTEL_RESOURCE_ATTRIBUTES",
    meaning: "More resource attributes, key=value,key2=value2 (deployment.environment.name=prod)",
    default: "unset",
  },
  {
    name: "OTEL_TRACES_SAMPLER",
    meaning: "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
    default: DEFAULT_SAMPLER,
  },
  { name: "OTEL_TRACES_SAMPLER_ARG", meaning: "The traceidratio samplers' ratio, 0 to 1", default: "1" },
  { name: "OTEL_SDK_DISABLED", meaning: "true: tracing off even with an endpoint set", default: "false" },
];

type Env = Record<string, string | undefined>;

/** `key=value,key2=value2`, values percent-decoded (the spec's W3C-baggage-like format); null when malformed. */
function keyValueList(raw: string): Record<string, string> | null {
  const result: Record<string, string> = {};
  for (const part of raw.split(",")) {
    if (part.trim() === "") continue;
    const equals = part.indexOf("=");
    if (equals <= 0) return null;
    const key = part.slice(0, equals).trim();
    try {
      result[decodeURIComponent(key)] = decodeURIComponent(part.slice(equals + 1).trim());
    } catch {
      return null;
    }
    if (key === "") return null;
  }
  return result;
}

/** `<base>/v1/traces`, as the spec builds the signal URL from OTEL_EXPORTER_OTLP_ENDPOINT. */
function tracesUrlFrom(base: string): string {
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

/**
 * The tracing settings, or null when tracing is off (no endpoint, or OTEL_SDK_DISABLED=true). Problems are pushed,
 * each in its own words; header values and URLs' credentials are never echoed.
 */
export function loadTracingConfig(env: Env, problems: string[]): TracingConfig | null {
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const disabledRaw = text("OTEL_SDK_DISABLED")?.toLowerCase() ?? "false";
  if (disabledRaw !== "true" && disabledRaw !== "false") problems.push(`OTEL_SDK_DISABLED must be true or false; got "${disabledRaw}"`);
  const protocol = text("OTEL_EXPORTER_OTLP_PROTOCOL");
  if (protocol !== null && protocol !== "http/protobuf") {
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf is supported (OTLP over HTTP); got "${protocol}"`);
  }
  const tracesEndpoint = text("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const baseEndpoint = text("OTEL_EXPORTER_OTLP_ENDPOINT");
  for (const [name, value] of [
    ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", tracesEndpoint],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", baseEndpoint],
  ] as const) {
    if (value === null) continue;
    // Not echoed: a collector URL may carry credentials.
    if (!URL.canParse(value)) problems.push(`${name} is not a URL (http://collector:4318)`);
    else if (!["http:", "https:"].includes(new URL(value).protocol)) problems.push(`${name} must be an http or https URL`);
  }
  const headers: Record<string, string> = {};
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const raw = text(name);
    if (raw === null) continue;
    const parsed = keyValueList(raw);
    if (parsed === null) problems.push(`${name} must be key=value pairs separated by commas (values percent-encoded)`);
    else Object.assign(headers, parsed);
  }
  const resourceRaw = text("OTEL_RESOURCE_ATTRIBUTES");
  const resourceAttributes = resourceRaw === null ? {} : keyValueList(resourceRaw);
  if (resourceAttributes === null) {
    problems.push("OTEL_RESOURCE_ATTRIBUTES must be key=value pairs separated by commas (values percent-encoded)");
  }
  const samplerRaw = text("OTEL_TRACES_SAMPLER")?.toLowerCase() ?? DEFAULT_SAMPLER;
  const sampler = (SAMPLERS as readonly string[]).includes(samplerRaw) ? (samplerRaw as SamplerName) : null;
  if (sampler === null) problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(", ")}; got "${samplerRaw}"`);
  let samplerRatio = 1;
  const ratioRaw = text("OTEL_TRACES_SAMPLER_ARG");
  // The argument means something to the ratio samplers only; the spec says to ignore it for the others.
  if (ratioRaw !== null && sampler?.endsWith("traceidratio")) {
    const ratio = Number(ratioRaw);
    if (!/^\d*\.?\d+$/.test(ratioRaw) || ratio < 0 || ratio > 1) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 for ${sampler}; got "${ratioRaw}"`);
    } else {
      samplerRatio = ratio;
    }
  }
  const endpoint = tracesEndpoint ?? (baseEndpoint === null ? null : tracesUrlFrom(baseEndpoint));
  if (endpoint === null || disabledRaw === "true") return null;
  return {
    endpoint,
    headers,
    serviceName: text("OTEL_SERVICE_NAME") ?? resourceAttributes?.["service.name"] ?? DEFAULT_SERVICE_NAME,
    resourceAttributes: resourceAttributes ?? {},
    sampler: sampler ?? DEFAULT_SAMPLER,
    samplerRatio,
  };
}

/** The start-up banner's line: where spans go (scheme, host and path only: no credentials, no query) and how sampled. */
export function describeTracing(config: TracingConfig | null): string {
  if (config === null) return "off";
  const url = new URL(config.endpoint);
  const sampler = config.sampler.endsWith("traceidratio") ? `${config.sampler} ${config.samplerRatio}` : config.sampler;
  return `OTLP to ${url.protocol}//${url.host}${url.pathname} (sampler ${sampler})`;
}
