import { graphql } from "graphql";
import { buildGatewaySchema } from "./schema.js";
import { isJsonObject } from "../lib/json-object.js";

/**
 * The subgraph SDL exactly as routers and `rover subgraph introspect` receive it from `_service { sdl }`:
 * `@link`, `@key` and the federation definitions included. `schema/schema.graphql` is this text, byte for byte.
 */
export async function printServedSchema(): Promise<string> {
  const result = await graphql({ schema: await buildGatewaySchema(), source: "{ _service { sdl } }" });
  const service = result.data?._service;
  const sdl = isJsonObject(service) ? service.sdl : undefined;
  if (typeof sdl !== "string") throw new Error(`could not read _service.sdl: ${JSON.stringify(result.errors)}`);
  return sdl;
}
