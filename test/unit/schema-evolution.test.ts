import { readFileSync } from "node:fs";
import { unannouncedBreakingChanges, unreleasedSection } from "../../src/tools/schema-evolution.js";

// schema/baseline.graphql is the client schema of the last release. Every breaking change since (GraphQL Inspector's
// verdict) must be named in CHANGELOG.md's Unreleased section by its coordinate, so no client is broken unannounced.

const read = (file: string) => readFileSync(file, "utf8");

describe("schema evolution against the last released schema", () => {
  test("every breaking change from schema/baseline.graphql to schema/client.graphql is named in CHANGELOG.md's Unreleased", async () => {
    const unannounced = await unannouncedBreakingChanges(
      read("schema/baseline.graphql"),
      read("schema/client.graphql"),
      read("CHANGELOG.md"),
    );
    expect(unannounced.map((change) => `${change.path}: ${change.message}`)).toEqual([]);
  });

  describe("the check itself", () => {
    const BASELINE = "type Query { member(id: ID!): Member! }\ntype Member { id: ID! holders: [String!]! }";
    const NULLABLE = BASELINE.replace("holders: [String!]!", "holders: [String!]");
    const changelog = (unreleased: string) =>
      `# Changelog\n\n## [Unreleased]\n\n${unreleased}\n## [0.1.0] - 2026-01-01\n\n- \`Member.holders\` added.\n`;

    test("fails on a breaking change the Unreleased section does not name (a release's mention does not count)", async () => {
      const unannounced = await unannouncedBreakingChanges(BASELINE, NULLABLE, changelog("### Added\n- Something else.\n"));
      expect(unannounced.map((change) => [change.path, change.type])).toEqual([["Member.holders", "FIELD_TYPE_CHANGED"]]);
    });

    test("passes once the Unreleased section names it by its coordinate", async () => {
      expect(
        await unannouncedBreakingChanges(BASELINE, NULLABLE, changelog("### Changed\n- **Breaking:** `Member.holders` is nullable.\n")),
      ).toEqual([]);
    });

    test("a removed field is breaking too; additions and descriptions are not", async () => {
      const removed = BASELINE.replace(" holders: [String!]!", "");
      expect((await unannouncedBreakingChanges(BASELINE, removed, changelog(""))).map((c) => c.type)).toEqual(["FIELD_REMOVED"]);
      const added = BASELINE.replace("holders: [String!]!", '"""The holders."""\nholders: [String!]!\nname: String');
      expect(await unannouncedBreakingChanges(BASELINE, added, changelog(""))).toEqual([]);
    });

    test("a changelog without an Unreleased section is refused", () => {
      expect(() => unreleasedSection("# Changelog\n\n## [0.1.0] - 2026-01-01\n")).toThrow(/Unreleased/);
    });
  });
});
