/**
 * OpenTelemetry's standard variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
 * read and checked like every other setting: a bad value is a start-up problem (exit 2), never a silent default.
 * The SDK would read most of them by itself, but it logs a bad sampler and goes on; here the operator is told.
 */
import { boolean, keyValuePairs, oneOf, text, url } from "./parsers.js";
import { defineSettings, Invalid, type SettingsReader } from "./setting.js";

export const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

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

// Not echoed: a collector URL may carry credentials.
const collectorUrl = url({
  schemes: ["http:", "https:"],
  schemeProblem: "must be an http or https URL",
  echo: false,
  example: "http://collector:4318",
});

export const TRACING_SETTINGS = defineSettings({
  title: "Traces (OpenTelemetry, OTLP over HTTP)",
  about: [
    "Set an endpoint and every request becomes a trace. Unset: tracing is off and no OpenTelemetry SDK is loaded.",
    "A caller's W3C traceparent is continued and sent upstream. Headers are key=value pairs, comma-separated, values",
    "percent-encoded, never logged. parentbased_always_on follows the caller's (the router's) sampling decision.",
  ],
  settings: {
    OTEL_EXPORTER_OTLP_ENDPOINT: {
      meaning: "OTLP/HTTP collector base URL (traces go to <url>/v1/traces); unset = tracing off, no SDK loaded",
      defaultText: "unset (tracing off)",
      example: "http://127.0.0.1:4318",
      parse: collectorUrl,
    },
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
      meaning: "Full OTLP/HTTP traces URL (used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT)",
      example: "https://otlp.example.com/v1/traces",
      parse: collectorUrl,
    },
    OTEL_EXPORTER_OTLP_HEADERS: {
      meaning: "Headers sent with every export, key=value,key2=value2 (an API key)",
      example: "x-api-key=...",
      parse: keyValuePairs,
    },
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: {
      meaning: "Headers for trace exports only (added to OTEL_EXPORTER_OTLP_HEADERS)",
      example: "",
      parse: keyValuePairs,
    },
    OTEL_EXPORTER_OTLP_PROTOCOL: {
      meaning: "Only http/protobuf is supported (OTLP over HTTP)",
      default: "http/protobuf",
      example: "http/protobuf",
      parse: (raw, name) =>
        raw === "http/protobuf" ? raw : new Invalid(`${name}: only http/protobuf is supported (OTLP over HTTP); got "${raw}"`),
    },
    OTEL_SERVICE_NAME: {
      meaning: "service.name of every span",
      // service.name in OTEL_RESOURCE_ATTRIBUTES comes before this default, so it is applied by loadTracing.
      defaultText: DEFAULT_SERVICE_NAME,
      example: DEFAULT_SERVICE_NAME,
      parse: text,
    },
    OTEL_RESOURCE_ATTRIBUTES: {
      meaning: "More resource attributes, key=value,key2=value2 (deployment.environment.name=prod)",
      example: "deployment.environment.name=production",
      parse: keyValuePairs,
    },
    OTEL_TRACES_SAMPLER: {
      meaning: "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
      default: "parentbased_always_on",
      example: "parentbased_traceidratio",
      parse: oneOf(SAMPLERS),
    },
    OTEL_TRACES_SAMPLER_ARG: {
      meaning: "The traceidratio samplers' ratio, 0 to 1",
      // Checked by loadTracing: it means something to the ratio samplers only (the spec says to ignore it for the others).
      defaultText: "1",
      example: "0.1",
      parse: text,
    },
    OTEL_SDK_DISABLED: { meaning: "true: tracing off even with an endpoint set", default: false, example: "false", parse: boolean(true) },
  },
});

/** `<base>/v1/traces`, as the spec builds the signal URL from OTEL_EXPORTER_OTLP_ENDPOINT. */
function tracesUrlFrom(base: string): string {
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

/**
 * The tracing settings, or null when tracing is off (no endpoint, or OTEL_SDK_DISABLED=true). Problems are recorded,
 * each in its own words; header values and URLs' credentials are never echoed.
 */
export function loadTracing(settings: SettingsReader<typeof TRACING_SETTINGS.settings>): TracingConfig | null {
  const disabled = settings.read("OTEL_SDK_DISABLED");
  settings.read("OTEL_EXPORTER_OTLP_PROTOCOL");
  const tracesEndpoint = settings.read("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const baseEndpoint = settings.read("OTEL_EXPORTER_OTLP_ENDPOINT");
  const headers = { ...settings.read("OTEL_EXPORTER_OTLP_HEADERS"), ...settings.read("OTEL_EXPORTER_OTLP_TRACES_HEADERS") };
  const resourceAttributes = settings.read("OTEL_RESOURCE_ATTRIBUTES") ?? {};
  const sampler = settings.read("OTEL_TRACES_SAMPLER");
  let samplerRatio = 1;
  const ratioRaw = settings.read("OTEL_TRACES_SAMPLER_ARG");
  // A bad sampler reads as the default; its argument is then not checked against a sampler nobody asked for.
  const samplerGiven = settings.raw("OTEL_TRACES_SAMPLER")?.toLowerCase() ?? sampler;
  if (ratioRaw !== null && samplerGiven === sampler && sampler.endsWith("traceidratio")) {
    const ratio = Number(ratioRaw);
    if (!/^\d*\.?\d+$/.test(ratioRaw) || ratio < 0 || ratio > 1) {
      settings.problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 for ${sampler}; got "${ratioRaw}"`);
    } else {
      samplerRatio = ratio;
    }
  }
  const endpoint = tracesEndpoint ?? (baseEndpoint === null ? null : tracesUrlFrom(baseEndpoint));
  if (endpoint === null || disabled) return null;
  return {
    endpoint,
    headers,
    serviceName: settings.read("OTEL_SERVICE_NAME") ?? resourceAttributes["service.name"] ?? DEFAULT_SERVICE_NAME,
    resourceAttributes,
    sampler,
    samplerRatio,
  };
}
