import { negotiateFormat } from "../../src/observability/exposition.js";

// Which format /metrics answers, from the scraper's Accept header.
describe("negotiateFormat", () => {
  test.each([
    [
      "Prometheus 2.x",
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75," +
        "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
      "openmetrics",
    ],
    ["OpenMetrics alone", "application/openmetrics-text", "openmetrics"],
    ["OpenMetrics with spaces and upper case", "Application/OpenMetrics-Text; version=1.0.0; charset=utf-8", "openmetrics"],
    ["no Accept", undefined, "prometheus"],
    ["curl's */*", "*/*", "prometheus"],
    ["plain text", "text/plain;version=0.0.4", "prometheus"],
    ["plain text preferred", "text/plain;q=1,application/openmetrics-text;q=0.5", "prometheus"],
    ["OpenMetrics refused", "application/openmetrics-text;q=0,text/plain", "prometheus"],
    ["OpenMetrics preferred over */*", "application/openmetrics-text;q=0.9,*/*;q=0.1", "openmetrics"],
  ] as const)("%s", (_name, accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});
