import { readFileSync } from "node:fs";

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface DashboardModel {
  panels: Array<{ type: string; title: string; targets?: Array<{ refId: string; expr: string }> }>;
}

/**
 * Every Prometheus query of a Grafana dashboard's panels, with Grafana's variables replaced the way Grafana would:
 * the interval macros by a fixed window, the template variables (`$job`, `$instance`, ...) by their "All" value.
 */
export function dashboardQueries(path: string, options: { rateInterval: string; allValue: string }): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(path, "utf8")) as DashboardModel;
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      refId: target.refId,
      expr: target.expr
        .replaceAll("$__rate_interval", options.rateInterval)
        .replaceAll("$__interval", options.rateInterval)
        .replaceAll("$__range", options.rateInterval)
        .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, options.allValue),
    })),
  );
}
