/**
 * `npm run app`'s command line -> what to do, or what to print instead. Kept apart from the registry so the usage and
 * every refusal are tested without a process (as token-options.ts is for `npm run token`).
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { deploymentKeyProblem, type DeploymentKey } from "../app-deployments/deployment.js";
import { isOneOf } from "../lib/one-of.js";
import { messageOf } from "../lib/thrown.js";

export const APP_USAGE = `Usage: npm run app -- <command> [options]

App deployments: an app version's trusted documents, published to every gateway without a restart.

Commands:
  check <manifest>                                  validate a manifest as the gateway does at start (nothing stored)
  create --name N --version V [--publish] <manifest>
                                                    validate and store it (served once published)
  publish --name N --version V                      every gateway serves its documents within 2 seconds
  retire --name N --version V                       no gateway serves them any more (unless another deployment has them)
  list [--json]                                     every deployment: state, documents, requests, last request

Options:
  --actor <who>       who makes the change, for the audit   [default: the OS user]
  -h, --help          this text

Manifests: Apollo's persisted query manifest, or a {"<id>": "<document>"} object (relay-compiler's persistConfig
file, graphql-codegen's persisted-documents.json).

Settings, read as the gateway reads them (environment, or .env): the registry is in Redis with REDIS_URL (or
REDIS_SENTINELS and REDIS_SENTINEL_MASTER), else in APP_DEPLOYMENTS_DIR (default .data/app-deployments);
GRAPHQL_MAX_COST and TRUSTED_DOCUMENTS as the gateway has them.

Exit status: 0 done (or nothing to change), 2 refused (one line per problem; nothing changed),
1 the registry could not be reached (nothing changed).
`;

export type AppCommand =
  | { kind: "help" }
  | { kind: "refused"; problem: string }
  | { kind: "check"; manifest: string }
  | { kind: "create"; key: DeploymentKey; manifest: string; publish: boolean; actor: string }
  | { kind: "publish" | "retire"; key: DeploymentKey; actor: string }
  | { kind: "list"; json: boolean };

const VERBS = ["check", "create", "publish", "retire", "list"] as const;

/** The OS user running the command: who made a change, unless --actor says. */
export function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): --actor says who.
    return `uid ${process.getuid?.() ?? "unknown"}`;
  }
}

export function parseAppCommand(args: string[], actorByDefault: string): AppCommand {
  let values: { name?: string; version?: string; publish?: boolean; actor?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: "string" },
        version: { type: "string" },
        publish: { type: "boolean" },
        actor: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // parseArgs' own message names the option; the "TypeError [ERR_PARSE_ARGS_...]: " prefix some runners add is not.
    const message = messageOf(error)
      .replace(/^\w*Error \[\w+\]: /, "")
      .split(". ")[0];
    return { kind: "refused", problem: `${message}; see npm run app -- --help` };
  }
  if (values.help) return { kind: "help" };
  const [verb, ...rest] = positionals;
  if (verb === undefined)
    return { kind: "refused", problem: "Name a command (check, create, publish, retire or list); see npm run app -- --help" };
  if (!isOneOf(VERBS, verb)) {
    return { kind: "refused", problem: `Unknown command ${JSON.stringify(verb)}: check, create, publish, retire or list` };
  }
  const allowed: Record<(typeof VERBS)[number], string[]> = {
    check: [],
    create: ["name", "version", "publish", "actor"],
    publish: ["name", "version", "actor"],
    retire: ["name", "version", "actor"],
    list: ["json"],
  };
  const misplaced = Object.keys(values).find((option) => !allowed[verb].includes(option));
  if (misplaced) return { kind: "refused", problem: `${verb} takes no --${misplaced}; see npm run app -- --help` };
  const manifests = verb === "check" || verb === "create" ? 1 : 0;
  if (rest.length !== manifests) {
    return {
      kind: "refused",
      problem: manifests === 1 ? `${verb} takes one manifest file; got ${rest.length}` : `${verb} takes no file; got ${rest.join(" ")}`,
    };
  }
  if (verb === "check") return { kind: "check", manifest: rest[0] };
  if (verb === "list") return { kind: "list", json: values.json ?? false };
  const keyProblem = deploymentKeyProblem(values);
  if (keyProblem) return { kind: "refused", problem: keyProblem };
  const key = { name: values.name!, version: values.version! };
  const actor = values.actor?.trim() || actorByDefault;
  if (verb === "create") return { kind: "create", key, manifest: rest[0], publish: values.publish ?? false, actor };
  return { kind: verb, key, actor };
}
