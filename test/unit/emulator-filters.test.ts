import { EmulatorError } from "../../src/emulator/errors.js";
import { parseHolderFilters } from "../../src/emulator/filters.js";

const parse = (query: string) => parseHolderFilters(new URLSearchParams(query), () => Date.parse("2026-02-01T00:00:00.000Z"));

describe("parseHolderFilters", () => {
  test("no filters: empty condition; other parameters are ignored", () => {
    expect(parse("limit=5&order=-id")).toEqual({ sql: "", params: [] });
  });

  test("the SQL text depends on the operators, not on how many values a list has (statement cache key)", () => {
    const one = parse("filters[holder_role][conditions][$in][0]=REFEREE");
    const two = parse("filters[holder_role][conditions][$in][0]=REFEREE&filters[holder_role][conditions][$in][1]=REFERRER");
    expect(two.sql).toBe(one.sql);
    expect(two.params).toEqual([JSON.stringify(["REFEREE", "REFERRER"])]);
  });

  test("conditions on one field are ANDed, fields joined by the junction; dates are normalised to UTC ISO", () => {
    expect(
      parse(
        "filters[created_at][conditions][$after]=2026-01-01T01:00:00%2B01:00&filters[created_at][conditions][$before]=2026-01-02" +
          "&filters[id][conditions][$is]=rh_1&filters[junction]=OR",
      ),
    ).toEqual({
      sql: "((created_at > ? AND created_at < ?) OR id = ?)",
      params: ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "rh_1"],
    });
    expect(parse("filters[created_at][conditions][$more_than]=10").params).toEqual(["2026-01-22T00:00:00.000Z"]);
  });

  test.each([
    "filters[nope][conditions][$is]=x",
    "filters[id][conditions][$after]=2026-01-01",
    "filters[id][conditions][$is][0]=x",
    "filters[id][conditions][$is]=a&filters[id][conditions][$is]=b",
    "filters[id][$is]=x",
    "filters[id]conditions=x",
    "filters[junction]=maybe",
  ])("rejects %s with a 400", (query) => {
    let error: unknown;
    try {
      parse(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as EmulatorError).status).toBe(400);
  });
});
