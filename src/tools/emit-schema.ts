import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { printServedSchema } from "../schema-sdl.js";

// `npm run schema`: writes the subgraph SDL exactly as served (`_service { sdl }`), for review, rover and the drift test.
const target = process.argv[2] ?? "schema/schema.graphql";
writeFileSync(target, await printServedSchema());
console.log(`wrote ${target}`);
