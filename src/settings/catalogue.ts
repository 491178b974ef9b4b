/**
 * Every table of settings, in the order the docs list them, and the reader over all of them.
 *
 * A new setting: declare it in its concern's table (or a new table, listed below in both places), read it with
 * `settings.read(<its name>)` in config.ts or the concern's loader, and run `npm run settings:docs` (`.env.example` and the
 * docs' table). test/unit/config.test.ts fails for a variable read but not declared, or declared but never read.
 */
import { AUTH_SETTINGS } from "./auth.js";
import { EMULATOR_SETTINGS } from "./emulator.js";
import { HTTP_SETTINGS } from "./http.js";
import { LOGGING_SETTINGS } from "./logging.js";
import { METRICS_SETTINGS } from "./metrics.js";
import { OPERATION_SETTINGS } from "./operations.js";
import { describeDefault, SettingsReader, type Env, type Setting, type SettingsGroup } from "./setting.js";
import { SHARED_STATE_SETTINGS } from "./shared-state.js";
import { TRACING_SETTINGS } from "./tracing.js";
import { TRUSTED_DOCUMENTS_SETTINGS } from "./trusted-documents.js";
import { UPSTREAM_SETTINGS } from "./upstream.js";

export const SETTINGS_GROUPS: readonly SettingsGroup[] = [
  HTTP_SETTINGS,
  UPSTREAM_SETTINGS,
  EMULATOR_SETTINGS,
  OPERATION_SETTINGS,
  AUTH_SETTINGS,
  METRICS_SETTINGS,
  SHARED_STATE_SETTINGS,
  TRUSTED_DOCUMENTS_SETTINGS,
  LOGGING_SETTINGS,
  TRACING_SETTINGS,
];

const ALL = {
  ...HTTP_SETTINGS.settings,
  ...UPSTREAM_SETTINGS.settings,
  ...EMULATOR_SETTINGS.settings,
  ...OPERATION_SETTINGS.settings,
  ...AUTH_SETTINGS.settings,
  ...METRICS_SETTINGS.settings,
  ...SHARED_STATE_SETTINGS.settings,
  ...TRUSTED_DOCUMENTS_SETTINGS.settings,
  ...LOGGING_SETTINGS.settings,
  ...TRACING_SETTINGS.settings,
};

/** Every setting by name; a name declared by two tables is a mistake, caught here when the module loads. */
export const ALL_SETTINGS: typeof ALL = (() => {
  const names = SETTINGS_GROUPS.flatMap((group) => Object.keys(group.settings));
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`Settings declared in two tables: ${twice.join(", ")}`);
  return ALL;
})();

export type AllSettingsReader = SettingsReader<typeof ALL_SETTINGS>;

/** A reader of every setting from `env`; bad values are added to `problems`. */
export function settingsReader(env: Env, problems: string[] = []): AllSettingsReader {
  return new SettingsReader(ALL_SETTINGS, env, problems);
}

/** One row per setting, in the tables' order: `--help` prints them, the docs' table and `.env.example` are made of them. */
export const ENVIRONMENT: ReadonlyArray<{ name: string; meaning: string; default: string }> = SETTINGS_GROUPS.flatMap((group) =>
  Object.entries(group.settings).map(([name, setting]: [string, Setting<unknown>]) => ({
    name,
    meaning: setting.meaning,
    default: describeDefault(setting),
  })),
);
