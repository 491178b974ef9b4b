import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { printClientSchema } from "../graphql/client-sdl.js";
import { printServedSchema } from "../graphql/schema-sdl.js";

// `npm run schema`: writes the subgraph SDL exactly as served (`_service { sdl }`), for review, rover and the drift
// test, and the client-facing schema (no federation machinery) that frontends, codegen and relay-compiler use.
const [subgraphTarget = "schema/schema.graphql", clientTarget = "schema/client.graphql"] = process.argv.slice(2);
writeFileSync(subgraphTarget, await printServedSchema());
console.log(`wrote ${subgraphTarget}`);
writeFileSync(clientTarget, await printClientSchema());
console.log(`wrote ${clientTarget}`);
