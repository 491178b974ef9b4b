import { readFileSync } from "node:fs";
import { ENVIRONMENT } from "../../src/config.js";

// ENVIRONMENT in src/config.ts is the one table of settings: `--help` prints it, and .env.example and the operators'
// configuration table (docs/operators/configuration.md) are checked against it here (names both ways, and every
// default they state).

const byName = new Map(ENVIRONMENT.map((variable) => [variable.name, variable]));
/** The value a default stands for, without its gloss: "0 (ephemeral)" -> "0". */
const valueOf = (name: string) => byName.get(name)!.default.split(" ")[0];

describe(".env.example", () => {
  const lines = readFileSync(".env.example", "utf8").split("\n");
  const settings = lines.flatMap((line) => {
    const match = /^(# ?)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [{ name: match[2], value: match[3], commented: match[1] !== undefined }] : [];
  });

  test("names every variable of ENVIRONMENT, and nothing else", () => {
    expect(new Set(settings.map((s) => s.name))).toEqual(new Set(byName.keys()));
  });

  test("every variable it sets is set to ENVIRONMENT's default (the commented ones are examples)", () => {
    const set = settings.filter((s) => !s.commented);
    expect(set.length).toBeGreaterThan(10);
    expect(set.map(({ name, value }) => `${name}=${value}`)).toEqual(set.map(({ name }) => `${name}=${valueOf(name)}`));
  });
});

const CONFIGURATION_PAGE = "docs/operators/configuration.md";

describe("the configuration table (docs/operators/configuration.md)", () => {
  const page = readFileSync(CONFIGURATION_PAGE, "utf8");
  // The page's one table of variables, under its own heading.
  const start = page.indexOf("\n## Variables");
  const end = page.indexOf("\n## ", start + 1);
  const section = page.slice(start, end === -1 ? undefined : end);
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split("|").map((cell) => cell.trim()));
  const names = rows.flatMap(([, first]) => [...first.matchAll(/`([A-Z][A-Z0-9_]*)(=[^`]*)?`/g)].map((m) => m[1]));

  /** Each disagreement, as a line: the table has a variable ENVIRONMENT lacks, lacks one, or states another default. */
  function disagreements(): string[] {
    const found: string[] = [];
    for (const name of names) if (!byName.has(name)) found.push(`${name}: in the docs' table, not in ENVIRONMENT`);
    for (const name of byName.keys()) if (!names.includes(name)) found.push(`${name}: missing from the docs' table`);
    for (const [, first, , defaults] of rows) {
      const rowNames = [...first.matchAll(/`([A-Z][A-Z0-9_]*)(=[^`]*)?`/g)].map((m) => m[1]);
      const stated = defaults.split(/[,;] /).map((part) => /^`([^`]*)`$/.exec(part)?.[1]);
      if (stated.length !== rowNames.length) continue; // one default for several names ("emulator's", "demo ones")
      rowNames.forEach((name, i) => {
        if (stated[i] !== undefined && byName.has(name) && stated[i] !== valueOf(name)) {
          found.push(`${name}: the docs say ${stated[i]}, ENVIRONMENT ${valueOf(name)}`);
        }
      });
    }
    return found;
  }

  test("is read (sanity: its rows and a stated default are found)", () => {
    expect(start).toBeGreaterThan(0);
    expect(names).toEqual(expect.arrayContaining(["PORT", "HOST", "LOG_LEVEL", "NODE_ENV"]));
    expect(rows.length).toBeGreaterThan(8);
  });

  test("names every variable of ENVIRONMENT with ENVIRONMENT's defaults", () => {
    expect(disagreements()).toEqual([]);
  });
});
