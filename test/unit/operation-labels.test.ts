import { OperationLabels } from "../../src/observability/operation-labels.js";

describe("OperationLabels", () => {
  test("shipped names always get their own label, even after the budget is spent", () => {
    const labels = new OperationLabels({ known: ["ReferralHolders"], newNamesPerWindow: 2, maxNames: 2, now: () => 0 });
    expect(["A", "B", "C"].map((name) => labels.label(name))).toEqual(["A", "B", "other"]);
    expect(labels.label("ReferralHolders")).toBe("ReferralHolders");
  });

  test("other names: at most N new ones per window; labelled ones keep their label; the next window labels more", () => {
    let now = 1_000_000;
    const labels = new OperationLabels({ known: [], newNamesPerWindow: 3, windowMs: 60_000, maxNames: 5, now: () => now });
    expect(["a1", "a2", "a3", "a4"].map((name) => labels.label(name))).toEqual(["a1", "a2", "a3", "other"]);
    now += 59_999;
    expect(labels.label("a5")).toBe("other");
    expect(labels.label("a2")).toBe("a2");
    now += 1;
    expect(["a4", "a5", "a6"].map((name) => labels.label(name))).toEqual(["a4", "a5", "other"]); // total cap 5
    now += 60_000;
    expect(labels.label("a6")).toBe("other"); // the total cap holds across windows
    expect(labels.label("a1")).toBe("a1");
  });

  test("no name, and names that are not GraphQL names (or too long), never become labels", () => {
    const labels = new OperationLabels({ now: () => 0 });
    expect(labels.label(null)).toBe("anonymous");
    expect(labels.label("")).toBe("anonymous");
    expect(labels.label("not a name")).toBe("invalid");
    expect(labels.label("N".repeat(65))).toBe("invalid");
  });
});
