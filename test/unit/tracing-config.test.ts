import { ConfigError, loadConfig } from "../../src/config.js";
import { describeTracing } from "../../src/observability/tracing-config.js";
import { upstreamCallTemplate, upstreamUrlTemplate } from "../../src/observability/upstream-span.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("OTEL_* settings", () => {
  test("no endpoint: tracing is off, whatever else is set", () => {
    expect(loadConfig({ OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER: "always_on" }).tracing).toBeNull();
    expect(describeTracing(null)).toBe("off");
  });

  test("an endpoint: traces go to <endpoint>/v1/traces, service referrals-gateway, parent-based always-on sampling", () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing).toEqual({
      endpoint: "http://collector:4318/v1/traces",
      headers: {},
      serviceName: "referrals-gateway",
      resourceAttributes: {},
      sampler: "parentbased_always_on",
      samplerRatio: 1,
    });
  });

  test("the traces endpoint is used as is and wins; headers and resource attributes are decoded; service name precedence", () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://ignored:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otlp.example.com/otlp/v1/traces",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%3D%3D, x-team=payments",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-team=referrals",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod,service.name=from-attributes",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
    }).tracing;
    expect(tracing).toEqual({
      endpoint: "https://otlp.example.com/otlp/v1/traces",
      headers: { "x-api-key": "abc==", "x-team": "referrals" },
      serviceName: "from-attributes",
      resourceAttributes: { "deployment.environment.name": "prod", "service.name": "from-attributes" },
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.25,
    });
    expect(describeTracing(tracing)).toBe("OTLP to https://otlp.example.com/otlp/v1/traces (sampler parentbased_traceidratio 0.25)");
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_RESOURCE_ATTRIBUTES: "service.name=a", OTEL_SERVICE_NAME: "b" })
        .tracing?.serviceName,
    ).toBe("b");
  });

  test("OTEL_SDK_DISABLED=true turns it off; the sampler argument is ignored by samplers without a ratio", () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "TRUE" }).tracing).toBeNull();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_SAMPLER: "always_on", OTEL_TRACES_SAMPLER_ARG: "7" }).tracing,
    ).toMatchObject({ sampler: "always_on", samplerRatio: 1 });
  });

  test("the banner never shows credentials or a query string of the collector URL", () => {
    const tracing = loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://user:pass@collector:4318/v1/traces?token=t0k" }).tracing;
    expect(describeTracing(tracing)).toBe("OTLP to https://collector:4318/v1/traces (sampler parentbased_always_on)");
  });

  test("each bad value is its own problem; header values and URLs are not echoed", () => {
    expect(
      problemsOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: "collector 4318 with-secret",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://collector/v1/traces",
        OTEL_EXPORTER_OTLP_HEADERS: "secret-without-equals",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_RESOURCE_ATTRIBUTES: "=x",
        OTEL_TRACES_SAMPLER: "jaeger_remote",
        OTEL_SDK_DISABLED: "maybe",
      }),
    ).toEqual([
      'OTEL_SDK_DISABLED must be true or false; got "maybe"',
      'OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf is supported (OTLP over HTTP); got "grpc"',
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http or https URL",
      "OTEL_EXPORTER_OTLP_ENDPOINT is not a URL (http://collector:4318)",
      "OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas (values percent-encoded)",
      "OTEL_RESOURCE_ATTRIBUTES must be key=value pairs separated by commas (values percent-encoded)",
      "OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, " +
        'parentbased_traceidratio; got "jaeger_remote"',
    ]);
    for (const arg of ["-0.1", "1.01", "half", "1e-3"]) {
      expect(problemsOf({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: arg })).toEqual([
        `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 for traceidratio; got "${arg}"`,
      ]);
    }
  });
});

describe("upstream URL templates (span names carry no ids)", () => {
  test.each([
    ["v1/referrals/members/WELCOME-REF/holders?limit=10&filters[junction]=and", "/v1/referrals/members/{memberId}/holders"],
    ["v1/referrals/camp_1/members/v_123/holders", "/v1/referrals/{campaignId}/members/{memberId}/holders"],
    ["v1/referrals/members/CODE/holders/rh_1", "/v1/referrals/members/{memberId}/holders/{holderId}"],
    ["v1/referrals/camp_1/members/CODE/holders/rh_1", "/v1/referrals/{campaignId}/members/{memberId}/holders/{holderId}"],
    ["v1/customers/cust_1", "/v1/customers/{customerId}"],
    // Ids that read like the path's own words are still ids.
    ["v1/referrals/members/holders/holders", "/v1/referrals/members/{memberId}/holders"],
    ["v1/referrals/members/members/holders/holders", "/v1/referrals/members/{memberId}/holders/{holderId}"],
  ])("%s -> %s", (path, template) => {
    expect(upstreamUrlTemplate(path)).toBe(template);
  });
});

describe("the data source's calls by endpoint: templates decided without reading any id", () => {
  test.each([
    ["listHolders", "v1/referrals/members/CODE/holders?limit=10", "/v1/referrals/members/{memberId}/holders"],
    ["listHolders", "v1/referrals/members/members/CODE/holders", "/v1/referrals/{campaignId}/members/{memberId}/holders"],
    ["addHolders", "v1/referrals/holders/members/members/holders", "/v1/referrals/{campaignId}/members/{memberId}/holders"],
    ["removeHolder", "v1/referrals/members/holders/holders/holders", "/v1/referrals/members/{memberId}/holders/{holderId}"],
    ["removeHolder", "v1/referrals/c/members/m/holders/h", "/v1/referrals/{campaignId}/members/{memberId}/holders/{holderId}"],
    ["getCustomer", "v1/customers/cust_1", "/v1/customers/{customerId}"],
  ])("%s %s -> %s", (endpoint, path, template) => {
    expect(upstreamCallTemplate(endpoint, path)).toBe(template);
  });
});
