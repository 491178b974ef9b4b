import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

/** The text of CHANGELOG.md's `## [Unreleased]` section, up to the next release heading. */
export function unreleasedSection(changelog: string): string {
  const match = /^## \[Unreleased\][^\n]*\n([\s\S]*?)(?=^## \[|(?![\s\S]))/m.exec(changelog);
  if (!match) throw new Error("CHANGELOG.md has no `## [Unreleased]` section");
  return match[1];
}

/** How a breaking change is named in the changelog: its schema coordinate (for example `ReferralMember.holders`). */
export const coordinateOf = (change: Change): string => change.path ?? String(change.type);

/**
 * Breaking changes from the last released client schema to the current one that the Unreleased section does not
 * name, in backticks, by their schema coordinate. Empty means the release notes cover every break.
 */
export async function unannouncedBreakingChanges(baselineSdl: string, currentSdl: string, changelog: string): Promise<Change[]> {
  const unreleased = unreleasedSection(changelog);
  const changes = await diff(buildSchema(baselineSdl), buildSchema(currentSdl));
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .filter((change) => !unreleased.includes(`\`${coordinateOf(change)}\``));
}
