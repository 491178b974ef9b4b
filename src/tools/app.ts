import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { buildGatewaySchema } from "../graphql/schema.js";
import { APP_USAGE, defaultActor, parseAppCommand } from "./app-command.js";
import { EXIT, runAppCommand } from "./app-verbs.js";

// `npm run app -- <command>`: app deployments (src/app-deployments). See APP_USAGE, or docs/frontend/trusted-documents.md.

/** The settings the command shares with the gateway: a deploy job has none of the gateway's others (auth, upstream). */
const SETTINGS = [
  "REDIS_URL",
  "REDIS_SENTINELS",
  "REDIS_SENTINEL_MASTER",
  "REDIS_PASSWORD",
  "REDIS_SENTINEL_PASSWORD",
  "REDIS_TIMEOUT_MS",
  "APP_DEPLOYMENTS_DIR",
  "TRUSTED_DOCUMENTS",
  "GRAPHQL_MAX_COST",
];

const command = parseAppCommand(process.argv.slice(2), defaultActor(process.env));
if (command.kind === "help") {
  process.stdout.write(APP_USAGE);
  process.exit(EXIT.done);
}
if (command.kind === "refused") {
  console.error(command.problem);
  process.exit(EXIT.refused);
}
let config: Config;
try {
  config = loadConfig(Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]])));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(EXIT.refused);
}
const output = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
process.exitCode = await runAppCommand(command, config, buildGatewaySchema, output);
