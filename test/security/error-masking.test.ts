import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ErrorCode } from "../../src/errors/error-codes.js";
import { badUserInput } from "../../src/errors/graphql-errors.js";
import { errorMaskingPlugin } from "../../src/plugins/error-masking.plugin.js";
import { MASKED_MESSAGE } from "../../src/operation/error-masking.js";
import type { GatewayContext } from "../../src/request-context/gateway-context.js";
import { captureLogs } from "../support/log-capture.js";
import { graphql } from "../support/stack.js";

// The gateway has no known path to an unexpected error (each one found so far was fixed), so the masking plugin is
// exercised on a real Apollo server, over HTTP, whose resolver fails the way a bug would.
const typeDefs = `type Query { bug: String  expected: String }`;
const resolvers = {
  Query: {
    bug: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'internalDetail')");
    },
    expected: () => {
      throw badUserInput("first must be between 0 and 500.", "first");
    },
  },
};

async function serve(mask: boolean) {
  const logs = captureLogs("trace");
  const server = new ApolloServer<GatewayContext>({
    typeDefs,
    resolvers,
    includeStacktraceInErrorResponses: !mask,
    plugins: [errorMaskingPlugin({ mask, logger: logs.logger })],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => ({ requestId: String(req.headers["x-request-id"] ?? "generated-id") }) as GatewayContext,
  });
  return { url, logs, stop: () => server.stop() };
}

describe("errorMaskingPlugin", () => {
  test("masked: an unexpected error becomes a stable message with the request id as correlationId, logged in full", async () => {
    const { url, logs, stop } = await serve(true);
    try {
      const result = await graphql(url, "{ bug expected }", undefined, { "x-request-id": "support-ticket-42" });
      expect(result.errors).toEqual([
        {
          message: MASKED_MESSAGE,
          path: ["bug"],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: "INTERNAL_SERVER_ERROR", correlationId: "support-ticket-42" },
        },
        // Errors of the table pass untouched: they are meant for the client.
        {
          message: "first must be between 0 and 500.",
          path: ["expected"],
          locations: [{ line: 1, column: 7 }],
          extensions: { code: ErrorCode.BAD_USER_INPUT, field: "first" },
        },
      ]);
      expect(JSON.stringify(result)).not.toContain("internalDetail");
      const logged = logs.lines().filter((line) => line.requestId === "support-ticket-42");
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, msg: "unexpected error", path: ["bug"] });
      expect((logged[0].err as { message: string }).message).toContain("internalDetail");
    } finally {
      await stop();
    }
  });

  test("unmasked (development): the original message reaches the client, and is still logged", async () => {
    const { url, logs, stop } = await serve(false);
    try {
      const result = await graphql(url, "{ bug }");
      expect(result.errors![0].message).toContain("internalDetail");
      expect(logs.lines().some((line) => line.msg === "unexpected error")).toBe(true);
    } finally {
      await stop();
    }
  });
});
