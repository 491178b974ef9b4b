import { readFileSync } from "node:fs";
import { applyBlocks, PAGE, readResults, renderBlocks } from "../bench/performance-page.js";
import { LANES } from "../bench/lane-catalogue.js";

// docs/contributors/performance.md shows one bench run: its tables are generated from test/bench/results (a full
// `npm run bench` rewrites both; `npm run bench:page` the page alone). A page whose tables differ from the committed
// results, or results that miss a lane, mean the figures were edited by hand or left behind.

const page = readFileSync(PAGE, "utf8");
const { results, profiles } = readResults(".");

test("the page's generated tables are the ones the committed bench results make (npm run bench:page)", () => {
  expect(page).toBe(applyBlocks(page, renderBlocks(results, profiles)));
});

test("the committed results are a full run of every lane", () => {
  expect(results.kind).toBe("full");
  const ran = new Set([...results.lanes.map((lane) => lane.lane), ...results.skipped.map((skip) => skip.lane)]);
  expect([...ran].sort()).toEqual(LANES.map((lane) => lane.name).sort());
});

test("every lane that missed a target has its profile on the page", () => {
  const missed = new Set(results.targets.filter((target) => !target.met && target.lane).map((target) => target.lane));
  expect(new Set(profiles.map((profile) => profile.lane))).toEqual(missed);
});
