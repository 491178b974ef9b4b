import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Apollo Gateway (JS) implements neither `@authenticated` nor `@requiresScopes` and refuses any supergraph that links
 * them ("feature ... is for: SECURITY but is unsupported"); Apollo Router and Hive Gateway enforce them. This subgraph
 * enforces the same rules itself, so behind the JS gateway the two SECURITY links can go, as here.
 */
function withoutSecurityFeatures(supergraphSdl: string): string {
  return supergraphSdl.replace(
    /\n\s*@link\(url: "https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes)\/v[\d.]+", for: SECURITY\)/g,
    "",
  );
}

/** A real router on port 0: @apollo/gateway serving a supergraph SDL, planning queries across its subgraphs. */
export async function startApolloGatewayRouter(supergraphSdl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const router = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl: withoutSecurityFeatures(supergraphSdl), logger: silentLogger }),
  });
  const { url } = await startStandaloneServer(router, { listen: { port: 0, host: "127.0.0.1" } });
  return { url, stop: () => router.stop() };
}
