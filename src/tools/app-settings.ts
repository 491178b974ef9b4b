import type { Config } from "../config.js";
import { settingsReader } from "../settings/catalogue.js";
import type { Env } from "../settings/setting.js";
import { loadSharedState } from "../settings/shared-state.js";
import { loadTrustedDocuments } from "../settings/trusted-documents.js";

/** The gateway's settings the app deployments' tools read: where the registry is, GRAPHQL_MAX_COST, TRUSTED_DOCUMENTS. */
export type AppSettings = Pick<Config, "sharedState" | "trustedDocuments" | "maxOperationCost">;

/**
 * Those settings, read by the gateway's own tables (src/settings), and their problems. Only those: a deploy job or a
 * schema check has none of the gateway's others (authentication, the upstream), and needs none.
 */
export function readAppSettings(env: Env): { settings: AppSettings; problems: string[] } {
  const reader = settingsReader(env);
  const settings = {
    sharedState: loadSharedState(reader),
    trustedDocuments: loadTrustedDocuments(reader),
    maxOperationCost: reader.read("GRAPHQL_MAX_COST"),
  };
  return { settings, problems: reader.problems };
}

/** Problems as config.ts reports them (exit 2). */
export function formatSettingsProblems(problems: readonly string[]): string {
  return `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`;
}
