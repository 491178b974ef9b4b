import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { context, propagation } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { parse } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { graphql } from "../support/stack.js";
import { SpanKind, startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";
import { upstreamEnv } from "../support/process-env.js";

// A real router in front: Apollo Gateway (JS) traces with OpenTelemetry in this test's process and sends W3C trace
// context to its subgraph, as Apollo Router and Hive Gateway do; the gateway under test runs in its own process and
// exports to the test's OTLP receiver. One trace from the router's request to the Voucherify call.

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };
/** Apollo Gateway (JS) refuses supergraphs linking these SECURITY features (see test/federation/composition.test.ts). */
const withoutSecurityFeatures = (sdl: string) =>
  sdl.replace(/\n\s*@link\(url: "https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes)\/v[\d.]+", for: SECURITY\)/g, "");

describe("a federated request traced from the router through this subgraph to Voucherify", () => {
  let emulator: EmulatorHandle;
  let receiver: OtlpReceiver;
  let replica: GatewayProcess;
  let router: ApolloServer | undefined;
  const routerSpans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(routerSpans)] });

  beforeAll(async () => {
    provider.register({ propagator: new W3CTraceContextPropagator() });
    emulator = await startEmulator({ dbFile: ":memory:" });
    receiver = await startOtlpReceiver();
    replica = await startGatewayProcess({
      ...upstreamEnv(emulator),
      AUTH_DISABLED: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "referrals-subgraph",
    });
    const served = await graphql<{ _service: { sdl: string } }>(replica.graphqlUrl, "{ _service { sdl } }");
    const composition = composeServices([{ name: "referrals", typeDefs: parse(served.data!._service.sdl), url: replica.graphqlUrl }]);
    if (composition.errors) throw new Error(composition.errors.map(String).join("\n"));
    const gateway = new ApolloGateway({
      supergraphSdl: withoutSecurityFeatures(composition.supergraphSdl),
      logger: silentLogger,
      // What a router does on each subgraph fetch: the active span (the router's fetch) goes out as `traceparent`.
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource({
          url,
          willSendRequest({ request }) {
            propagation.inject(context.active(), request.http!.headers, { set: (headers, key, value) => headers.set(key, value) });
          },
        }),
    });
    router = new ApolloServer({ gateway });
    const { url } = await startStandaloneServer(router, { listen: { port: 0, host: "127.0.0.1" } });
    const answer = await graphql(
      url,
      `query ThroughTheRouter { referralMember(memberId: "${SEED.code}") { holders(first: 2) { totalCount } } }`,
    );
    expect(answer.data).toEqual({ referralMember: { holders: { totalCount: SEED.refereeCount + 1 } } });
    await replica.stop();
  });

  afterAll(async () => {
    await router?.stop();
    await replica?.stop();
    await receiver?.close();
    await emulator?.stop();
    await provider.shutdown();
  });

  test("the subgraph's server span is a child of the router's fetch span, and the upstream saw the same trace", () => {
    const fetch = routerSpans.getFinishedSpans().find((span) => span.name === "gateway.fetch");
    expect(fetch).toBeDefined();
    const { traceId, spanId } = fetch!.spanContext();
    const ours = receiver.spans.filter((span) => span.traceId === traceId);
    const server = ours.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.parentSpanId).toBe(spanId);
    expect(server.resource["service.name"]).toBe("referrals-subgraph");
    const operation = ours.find((span) => span.parentSpanId === server.spanId)!;
    expect(operation.attributes["graphql.operation.type"]).toBe("query");
    const upstream = ours.filter((span) => span.kind === SpanKind.CLIENT);
    expect(upstream).toHaveLength(1);
    const seen = emulator.requests.filter((request) => request.traceparent !== undefined);
    expect(seen.map((request) => request.traceparent)).toEqual([`00-${traceId}-${upstream[0].spanId}-01`]);
  });
});
