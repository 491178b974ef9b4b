import { Registry, type Metric, type OpenMetricsContentType } from "prom-client";

export type ExpositionFormat = "prometheus" | "openmetrics";

const OPENMETRICS = "application/openmetrics-text";
const PLAIN = new Set(["text/plain", "text/*", "*/*"]);

/**
 * OpenMetrics (the only format with exemplars) when the scraper's Accept prefers `application/openmetrics-text` at
 * least as much as plain text, as Prometheus does by default; Prometheus text 0.0.4 otherwise (curl, old scrapers).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  const ranges = accept?.toLowerCase();
  if (!ranges || !ranges.includes(OPENMETRICS)) return "prometheus";
  let openMetricsQ = 0;
  let plainQ = 0;
  for (const range of ranges.split(",")) {
    const [type, ...parameters] = range.split(";").map((part) => part.trim());
    const qParameter = parameters.find((parameter) => parameter.startsWith("q="));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === OPENMETRICS) openMetricsQ = Math.max(openMetricsQ, q);
    else if (PLAIN.has(type)) plainQ = Math.max(plainQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= plainQ ? "openmetrics" : "prometheus";
}

/**
 * The registry's metrics in OpenMetrics text. prom-client serializes OpenMetrics by renaming counters in place
 * (`x_total` -> `x`), which would leak into the next plain-text scrape of the same registry; so the metrics are
 * exposed through a registry of their own per scrape, counters through a view carrying the OpenMetrics family name.
 */
export async function openMetricsText(registry: Registry): Promise<string> {
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray() as unknown as Array<Metric & CounterLike>) {
    openMetrics.registerMetric(metric.type === "counter" ? counterView(metric) : metric);
  }
  return openMetrics.metrics();
}

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** What the registry reads of a metric (prom-client's `Metric` type does not declare these). */
interface CounterLike {
  name: string;
  type: string;
  get(): Promise<{ name: string }>;
}

function counterView(counter: Metric & CounterLike): Metric {
  const family = counter.name.replace(/_total$/, "");
  const view = {
    name: family,
    type: counter.type,
    help: (counter as unknown as { help: string }).help,
    async get() {
      return { ...(await counter.get()), name: family };
    },
    reset() {},
  };
  return view as unknown as Metric;
}
