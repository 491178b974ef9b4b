import { boolean, text } from "./parsers.js";
import { defineSettings, Invalid, type SettingsReader } from "./setting.js";

/** Operations registered ahead by the apps (src/documents): loaded and checked at start. */
export interface TrustedDocumentsConfig {
  /** Manifest files (Apollo's persisted query manifest, or a `{"<id>": "<document>"}` map), as given. */
  manifests: string[];
  /** Safelisting: every other document is refused before parsing (the router excepted). */
  only: boolean;
  /** The app deployments' registry folder, used when the gateway shares no state (no Redis): src/app-deployments. */
  appDeploymentsDir: string;
}

export const TRUSTED_DOCUMENTS_SETTINGS = defineSettings({
  title: "Trusted documents",
  about: [
    "The apps' manifests, checked at start; the shipped operations are always trusted.",
    "Safelisting (only trusted documents run) is recommended in production for frontends.",
    "App deployments (`npm run app`) publish more of them live: in Redis when REDIS_URL or REDIS_SENTINELS is set, else in a folder.",
  ],
  settings: {
    TRUSTED_DOCUMENTS: {
      meaning: "Comma-separated manifest files of the apps' operations (Apollo persisted query manifest, or {id: document} JSON)",
      defaultText: "unset (the shipped operations only)",
      example: "persisted-query-manifest.json,persisted-documents.json",
      // The files themselves are read and checked with the schema at start (src/documents), each problem reported there.
      parse: (raw, name) => {
        const parts = raw.split(",").map((part) => part.trim());
        if (parts.some((part) => part.length === 0)) return new Invalid(`${name} has an empty entry; got "${raw}"`);
        return [...new Set(parts)];
      },
    },
    TRUSTED_DOCUMENTS_ONLY: {
      meaning: "true: only trusted documents run (by id or identical text), others get QUERY_NOT_IN_SAFELIST; the router is exempt",
      default: false,
      parse: boolean(),
    },
    APP_DEPLOYMENTS_DIR: {
      meaning: "Folder of the app deployments' registry (npm run app) when there is no Redis; with Redis the registry lives there",
      default: ".data/app-deployments",
      parse: text,
    },
  },
});

export function loadTrustedDocuments(settings: SettingsReader<typeof TRUSTED_DOCUMENTS_SETTINGS.settings>): TrustedDocumentsConfig {
  return {
    manifests: settings.read("TRUSTED_DOCUMENTS") ?? [],
    only: settings.read("TRUSTED_DOCUMENTS_ONLY"),
    appDeploymentsDir: settings.read("APP_DEPLOYMENTS_DIR"),
  };
}
