import { readFileSync } from "node:fs";
import { ENVIRONMENT } from "../../src/settings/catalogue.js";
import {
  filesWithSettingsTable,
  renderEnvExample,
  renderSettingsTable,
  TABLE_BEGIN,
  TABLE_END,
  withSettingsTable,
} from "../../src/settings/settings-docs.js";

// `.env.example` and the docs' configuration table are made from the tables of src/settings/ (`npm run settings:docs`):
// a setting added, removed or reworded there without regenerating them fails here.
describe("the generated configuration docs are up to date (run `npm run settings:docs`)", () => {
  test(".env.example is what the tables make", () => {
    expect(readFileSync(".env.example", "utf8")).toBe(renderEnvExample());
  });

  test("the configuration table, between its markers in README.md or docs/, is what the tables make", () => {
    const files = filesWithSettingsTable();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect({ file, text }).toEqual({ file, text: withSettingsTable(text) });
    }
  });

  test("the table has one row per setting, and the markers survive a regeneration", () => {
    const table = renderSettingsTable();
    const rows = table.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.map((row) => /^\| `([A-Z0-9_]+)`/.exec(row)?.[1])).toEqual(ENVIRONMENT.map(({ name }) => name));
    const page = `intro\n${TABLE_BEGIN}\nstale\n${TABLE_END}\noutro\n`;
    const once = withSettingsTable(page)!;
    expect(once).toBe(`intro\n${table}\noutro\n`);
    expect(withSettingsTable(once)).toBe(once);
    expect(withSettingsTable("no markers")).toBeNull();
  });

  test("every setting is in .env.example, set to its default or commented out with an example", () => {
    const example = renderEnvExample();
    for (const { name } of ENVIRONMENT) expect(example).toMatch(new RegExp(`^(# )?${name}=`, "m"));
    expect(example).toContain("\nPORT=4000\n");
    expect(example).toContain("\n# REDIS_URL=redis://127.0.0.1:6379/0\n");
  });
});
