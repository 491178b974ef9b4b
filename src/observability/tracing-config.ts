/** How the start-up banner names the tracing settings (read and checked in src/settings/tracing.ts). */
import type { TracingConfig } from "../settings/tracing.js";

export type { SamplerName, TracingConfig } from "../settings/tracing.js";

/** The start-up banner's line: where spans go (scheme, host and path only: no credentials, no query) and how sampled. */
export function describeTracing(config: TracingConfig | null): string {
  if (config === null) return "off";
  const url = new URL(config.endpoint);
  const sampler = config.sampler.endsWith("traceidratio") ? `${config.sampler} ${config.samplerRatio}` : config.sampler;
  return `OTLP to ${url.protocol}//${url.host}${url.pathname} (sampler ${sampler})`;
}
