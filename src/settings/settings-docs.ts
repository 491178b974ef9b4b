/**
 * The configuration table of the docs and `.env.example`, made from the tables (`npm run settings:docs` writes them;
 * test/unit/settings-docs.test.ts fails when a committed copy differs).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ALL_SETTINGS, SETTINGS_GROUPS } from "./catalogue.js";
import { formatValue, type Setting } from "./setting.js";

export const TABLE_BEGIN = "<!-- settings:begin -->";
export const TABLE_END = "<!-- settings:end -->";

/** The docs' default cell: the value in code style, then its gloss, or what happens when unset. */
function defaultCell(setting: Setting<unknown>): string {
  if (setting.default === undefined) return setting.defaultText ?? "unset";
  return [`\`${formatValue(setting.default)}\``, setting.gloss].filter(Boolean).join(" ");
}

const NAMES = new RegExp(`\\b(${Object.keys(ALL_SETTINGS).join("|")})\\b`, "g");

/** A table cell: settings named in code style; pipes and angle brackets escaped (`<token>` is not an HTML tag). */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(NAMES, "`$1`");

/** The markdown table, one row per setting, markers included (so a replacement keeps them). */
export function renderSettingsTable(): string {
  const rows = SETTINGS_GROUPS.flatMap((group) =>
    Object.entries(group.settings).map(
      ([name, setting]: [string, Setting<unknown>]) => `| \`${name}\` | ${cell(setting.meaning)} | ${cell(defaultCell(setting))} |`,
    ),
  );
  return [TABLE_BEGIN, "", "| variable | meaning | default |", "|---|---|---|", ...rows, "", TABLE_END].join("\n");
}

/** `text` with the part between the markers (markers included) replaced by the table; null when it has no markers. */
export function withSettingsTable(text: string): string | null {
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END, begin);
  if (begin < 0 || end < 0) return null;
  return text.slice(0, begin) + renderSettingsTable() + text.slice(end + TABLE_END.length);
}

/** README.md and every docs/**\/*.md under `root` that hold the markers: where the configuration table lives. */
export function filesWithSettingsTable(root = "."): string[] {
  const candidates = ["README.md"];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, dir), { withFileTypes: true });
    } catch {
      return; // no docs/ folder
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".md")) candidates.push(file);
    }
  };
  walk("docs");
  return candidates.filter((file) => readFileSync(path.join(root, file), "utf8").includes(TABLE_BEGIN));
}

/**
 * `.env.example`: each concern under its title, each setting with its meaning; set to its default when it has one,
 * otherwise (or when an example says more) commented out with the example.
 */
export function renderEnvExample(): string {
  const lines = [
    "# Referrals gateway configuration. Every variable is optional for `npm start` on the embedded emulator.",
    "# `npm start -- --help` prints this list with defaults. Generated from src/settings/ by `npm run settings:docs`.",
    "# Load it with `node --env-file=.env dist/src/main.js` after copying it to .env.",
  ];
  for (const group of SETTINGS_GROUPS) {
    lines.push("", `# ## ${group.title}`, ...group.about.map((line) => `# ${line}`));
    for (const [name, setting] of Object.entries(group.settings) as Array<[string, Setting<unknown>]>) {
      lines.push(`# ${setting.meaning}.`);
      if (setting.example !== undefined) lines.push(`# ${name}=${setting.example}`);
      else if (setting.default !== undefined) lines.push(`${name}=${formatValue(setting.default)}`);
      else lines.push(`# ${name}=`);
    }
  }
  return `${lines.join("\n")}\n`;
}
