import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildSchema } from "graphql";
import { openAppDeploymentRegistry } from "../app-deployments/open-registry.js";
import { formatSettingsProblems, readAppSettings } from "./app-settings.js";
import { breaksOfPublishedDocuments, formatDocumentBreak } from "./published-documents-impact.js";
import { coordinateOf, unannouncedBreakingChanges } from "./schema-evolution.js";
import { messageOf } from "../lib/thrown.js";

// `npm run schema:check [-- --baseline <sdl> --schema <sdl> --changelog <md>]`: the breaking-change check of a schema
// change, from the last released client schema (schema/baseline.graphql) to this build's (schema/client.graphql):
// 1. every breaking change is named in CHANGELOG.md's Unreleased section (the release notes cover it);
// 2. no breaking change touches a field a document of a published app deployment uses, and every such document still
//    validates: the registry is the one the gateway's settings name (REDIS_URL or Sentinel, else APP_DEPLOYMENTS_DIR).
// Exit 0, or 2 with one line per problem (1: the registry cannot be read).

const USAGE = `Usage: npm run schema:check [-- --baseline <sdl>] [--schema <sdl>] [--changelog <file>]

  --baseline    the schema clients use now           [default: schema/baseline.graphql, the last release]
  --schema      the schema of this change            [default: schema/client.graphql, this build's]
  --changelog   names every breaking change          [default: CHANGELOG.md, section [Unreleased]]

The published app deployments are read from the registry the gateway's settings name (REDIS_URL, or REDIS_SENTINELS
and REDIS_SENTINEL_MASTER, else APP_DEPLOYMENTS_DIR). Exit 0, 2 (one line per problem), 1 (registry unreadable).
`;

let options: { baseline: string; schema: string; changelog: string };
try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      baseline: { type: "string", default: "schema/baseline.graphql" },
      schema: { type: "string", default: "schema/client.graphql" },
      changelog: { type: "string", default: "CHANGELOG.md" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  options = values;
} catch (error) {
  console.error(`${error instanceof Error ? error.message.split(". ")[0] : String(error)}; see npm run schema:check -- --help`);
  process.exit(2);
}
const { settings, problems: settingsProblems } = readAppSettings(process.env);
if (settingsProblems.length > 0) {
  console.error(formatSettingsProblems(settingsProblems));
  process.exit(2);
}
const [baseline, current] = [options.baseline, options.schema].map((file) => readFileSync(file, "utf8"));
const problems: string[] = [];

const unannounced = await unannouncedBreakingChanges(baseline, current, readFileSync(options.changelog, "utf8"));
for (const change of unannounced) {
  problems.push(`${options.changelog}: breaking change \`${coordinateOf(change)}\` is not named under [Unreleased]: ${change.message}`);
}

const registry = openAppDeploymentRegistry(settings, () => {});
let summary: string;
try {
  await registry.connect(5000);
  const { deployments } = await registry.published();
  const breaks = await breaksOfPublishedDocuments(buildSchema(baseline), buildSchema(current), deployments);
  problems.push(...breaks.map(formatDocumentBreak));
  const documents = deployments.reduce((sum, deployment) => sum + deployment.documents.length, 0);
  summary = `${deployments.length} published app deployment(s), ${documents} document(s) (registry: ${registry.location})`;
} catch (error) {
  console.error(`The registry (${registry.location}) cannot be read: ${messageOf(error)}`);
  process.exit(1);
} finally {
  await registry.close();
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`${problems.length} problem(s): ${options.baseline} -> ${options.schema} would break its clients; ${summary}.`);
  process.exit(2);
}
console.log(
  `OK: ${options.baseline} -> ${options.schema} breaks no published document; ` +
    `its breaking changes are in ${options.changelog}; ${summary}.`,
);
