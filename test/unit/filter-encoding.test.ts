import { FilterJunction, HolderRole } from "../../src/referrals/enums.js";
import { encodeHolderFilter } from "../../src/voucherify/filters.js";

describe("encodeHolderFilter: HolderFilter -> Voucherify deepObject query pairs", () => {
  test("no filter, or an empty one, adds nothing (a lone junction included)", () => {
    expect(encodeHolderFilter(undefined)).toEqual([]);
    expect(encodeHolderFilter(null)).toEqual([]);
    expect(encodeHolderFilter({})).toEqual([]);
    expect(encodeHolderFilter({ junction: FilterJunction.OR })).toEqual([]);
  });

  test("every field, in a fixed order, with the junction last and lower-case", () => {
    expect(
      encodeHolderFilter({
        junction: FilterJunction.OR,
        createdBefore: new Date("2026-02-01T00:00:00+01:00"),
        createdAfter: new Date("2026-01-01T00:00:00Z"),
        holderIds: ["rh_1", "rh_2"],
        customerIds: ["cust_a"],
        roles: [HolderRole.REFEREE, HolderRole.REFERRER],
      }),
    ).toEqual([
      ["filters[holder_role][conditions][$in][0]", "REFEREE"],
      ["filters[holder_role][conditions][$in][1]", "REFERRER"],
      ["filters[customer_id][conditions][$in][0]", "cust_a"],
      ["filters[id][conditions][$in][0]", "rh_1"],
      ["filters[id][conditions][$in][1]", "rh_2"],
      ["filters[created_at][conditions][$after]", "2026-01-01T00:00:00.000Z"],
      ["filters[created_at][conditions][$before]", "2026-01-31T23:00:00.000Z"],
      ["filters[junction]", "or"],
    ]);
  });

  test("AND junction", () => {
    expect(encodeHolderFilter({ roles: [HolderRole.OWNER], junction: FilterJunction.AND })).toEqual([
      ["filters[holder_role][conditions][$in][0]", "OWNER"],
      ["filters[junction]", "and"],
    ]);
  });

  test("equal filters give equal pairs whatever the property order (cache keys depend on it)", () => {
    const a = encodeHolderFilter({ customerIds: ["c"], roles: [HolderRole.REFEREE] });
    const b = encodeHolderFilter({ roles: [HolderRole.REFEREE], customerIds: ["c"] });
    expect(a).toEqual(b);
  });

  test("as a query string the brackets are percent-encoded and the filters prefix is kept (the Mesh bug)", () => {
    const query = new URLSearchParams(encodeHolderFilter({ roles: [HolderRole.REFEREE], junction: FilterJunction.AND })).toString();
    expect(query).toBe("filters%5Bholder_role%5D%5Bconditions%5D%5B%24in%5D%5B0%5D=REFEREE&filters%5Bjunction%5D=and");
    expect([...new URLSearchParams(query).keys()]).toEqual(["filters[holder_role][conditions][$in][0]", "filters[junction]"]);
  });
});
