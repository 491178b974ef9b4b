import type { ApolloServerOptions, BaseContext } from "@apollo/server";
import { execute, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";
import { INLINE_TRACE_HEADER } from "../plugins/apollo-http-behaviour.js";

type Gateway = Extract<ApolloServerOptions<BaseContext>, { gateway: unknown }>["gateway"];
type Executor = NonNullable<Awaited<ReturnType<Gateway["load"]>>["executor"]>;
type ExecutionRequest = Parameters<Executor>[0];

/** Compiled operations kept, least recently used out first: a gateway serves a few dozen distinct operations. */
export const COMPILED_OPERATIONS_MAX = 500;
/**
 * Sightings of an operation before it is compiled. Compiling costs a few milliseconds, about ten executions: a
 * stream of one-off documents (a client building queries, or an attacker) runs on graphql-js instead of paying it.
 */
export const COMPILE_AFTER_SIGHTINGS = 2;

interface Entry {
  sightings: number;
  compiled: CompiledQuery | null;
}

/**
 * Execution for Apollo Server 5 through its `gateway` option, which is its one hook for a custom executor:
 * operations seen often enough run compiled by graphql-jit (same results, less CPU per request); everything
 * else on graphql-js. Apollo still parses, validates (with the gateway's rules), runs every plugin hook and
 * formats errors; only `execute` is replaced. graphql-js stays in charge where compiling would change behaviour:
 * inline traces for a router (they instrument graphql-js resolvers) and anything graphql-jit declines to compile.
 */
export function compiledExecutionGateway(schema: GraphQLSchema): Gateway & { readonly compiledCount: number } {
  const cache = new LRUCache<string, Entry>({ max: COMPILED_OPERATIONS_MAX });

  const compiledFor = (request: ExecutionRequest): CompiledQuery | null => {
    const key = `${request.queryHash}\u0000${requestedName(request) ?? ""}`;
    let entry = cache.get(key);
    if (!entry) cache.set(key, (entry = { sightings: 0, compiled: null }));
    if (entry.compiled) return entry.compiled;
    entry.sightings++;
    if (entry.sightings < COMPILE_AFTER_SIGHTINGS) return null;
    const compiled = compileQuery(schema, request.document, requestedName(request));
    // Not compiled (graphql-jit refused it): graphql-js answers, with its own errors, every time.
    if (!isCompiledQuery(compiled)) return null;
    entry.compiled = compiled;
    return compiled;
  };

  const executor: Executor = async (request) => {
    const traced = request.request.http?.headers.get(INLINE_TRACE_HEADER) === "ftv1";
    const compiled = traced ? null : compiledFor(request);
    const operation = { schema, document: request.document, operationName: requestedName(request) };
    return executeOperation(operation, compiled, request.context, request.request.variables);
  };

  return {
    async load() {
      return { schema, executor };
    },
    onSchemaLoadOrUpdate(callback) {
      // The schema never changes after start; Apollo needs to hear it once to derive its request pipeline data.
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => undefined;
    },
    async stop() {},
    get compiledCount() {
      let count = 0;
      for (const entry of cache.values()) if (entry.compiled) count++;
      return count;
    },
  };
}

/** What graphql-js needs besides the request's values to execute an operation. */
export interface ExecutableOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | undefined;
}

/**
 * Runs one operation, compiled when `compiled` is given, else on graphql-js. Both execution paths run operations
 * through here (Apollo's executor above and the trusted documents' fast path), so their results agree.
 */
export async function executeOperation(
  operation: ExecutableOperation,
  compiled: CompiledQuery | null,
  context: unknown,
  variables: Record<string, unknown> | undefined,
): Promise<ExecutionResult<Record<string, unknown>>> {
  const run = async () =>
    (await execute({ ...operation, contextValue: context, variableValues: variables })) as ExecutionResult<Record<string, unknown>>;
  if (!compiled) return run();
  const result = await compiled.query(undefined, context, variables ?? {});
  // No data at all: the variables were refused before anything ran. graphql-js words and locates those errors the
  // way Apollo classifies them (BAD_USER_INPUT, status 400); it costs nothing to ask it, nothing has run yet.
  if (!("data" in result) || result.data === undefined) return run();
  return result.errors?.some((error) => !error.extensions) ? { ...result, errors: result.errors.map(withExtensions) } : result;
}

/**
 * graphql-jit builds its own error objects (graphql's GraphQLError by prototype) and leaves `extensions` undefined when
 * the resolver's error has none (a bug's TypeError); graphql-js gives `{}`. Apollo Server reads `extensions.code` of
 * every error: it failed to format such an error and answered its own without path or locations, and the fast path
 * failed the whole request. Given `{}` here, a bug is formatted, logged and masked alike on both paths, compiled or not.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  return error.extensions ? error : (Object.create(error, { extensions: { value: {} } }) as GraphQLError);
}

/**
 * The operation the client asked for. Not `request.operationName`: that is the name of the operation Apollo resolved,
 * null when none matched, and executing with null would run the document's only operation instead of failing.
 */
function requestedName(request: ExecutionRequest): string | undefined {
  return request.request.operationName ?? undefined;
}
