import { buildASTSchema, type DefinitionNode, Kind, parse, printSchema } from "graphql";
import { buildGatewaySchema } from "./schema.js";

// Federation machinery a frontend never queries: routers use it, relay-compiler cannot parse `extend schema @link`.
const FEDERATION_ROOT_FIELDS = new Set(["_entities", "_service"]);
const FEDERATION_TYPE = /^(_Any|_Entity|_Service|link__\w+|federation__\w+)$/;

function isClientFacing(definition: DefinitionNode): boolean {
  switch (definition.kind) {
    case Kind.SCHEMA_DEFINITION:
    case Kind.SCHEMA_EXTENSION:
    case Kind.DIRECTIVE_DEFINITION:
      return false;
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.UNION_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_DEFINITION:
      return !FEDERATION_TYPE.test(definition.name.value);
    default:
      return true;
  }
}

/**
 * The schema as frontends see it: the served schema without `_service`, `_entities`, `@link` and the federation
 * directives and types. graphql's printSchema prints no applied directives (`@key`, `@shareable`) except the
 * standard ones, so only definitions have to be dropped. Rebuilt and printed again, so the text is valid on its own.
 */
export async function printClientSchema(): Promise<string> {
  const document = parse(printSchema(await buildGatewaySchema()));
  const definitions = document.definitions
    .filter(isClientFacing)
    .map((definition) =>
      definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === "Query"
        ? { ...definition, fields: definition.fields?.filter((field) => !FEDERATION_ROOT_FIELDS.has(field.name.value)) }
        : definition,
    );
  return `${printSchema(buildASTSchema({ kind: Kind.DOCUMENT, definitions }))}\n`;
}
