import { readFileSync } from "node:fs";
import { toAddedHolders, toCustomerRecord, toHolderPage, toHolderRecord, UpstreamShapeError } from "../../src/voucherify/from-upstream.js";

const example = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/voucherify/examples/${name}`, import.meta.url), "utf8"));

describe("toHolderRecord and the list/add mappers on real example bodies", () => {
  test("the spec's list example, OWNER and campaign_type null included, maps field by field", () => {
    const page = toHolderPage(example("list-holders.response.200.example.json"));
    expect(page).toEqual({
      total: 2,
      hasMore: false,
      nextStartingAfter: "rh_0e6d0b84960f447f52",
      holders: [
        {
          id: "rh_0e7213a6bc407b8639",
          createdAt: "2024-03-15T09:08:50.529Z",
          holderRole: "REFERRER",
          customerId: "cust_XDwHXVBSZZAJgjpHvrgUHx3J",
          redeemableId: "v_jFVcN1f5ofg707z2G3GYWtMyKJ4usss4",
          redeemableObject: "voucher",
          campaignId: "camp_td1gcD4feTAjUKQYfg40kWhN",
          campaignType: "REFERRAL_PROGRAM",
          voucherType: "DISCOUNT_VOUCHER",
          metadata: null,
        },
        {
          id: "rh_0e6d0b84960f447f52",
          createdAt: "2024-03-11T11:20:54.093Z",
          holderRole: "OWNER",
          customerId: "cust_1B9wkAcSz5O1Y4Zn8JPfKQm6",
          redeemableId: "v_jFVcN1f5ofg707z2G3GYWtMyKJ4usss4",
          redeemableObject: "voucher",
          campaignId: "camp_td1gcD4feTAjUKQYfg40kWhN",
          campaignType: null,
          voucherType: "DISCOUNT_VOUCHER",
          metadata: null,
        },
      ],
    });
  });

  test.each(["list-holders-with-campaign-id.response.200.example.json", "list-holders.response.200.paginated-listing-guide.json"])(
    "%s maps without error",
    (file) => {
      const body = example(file);
      const page = toHolderPage(body);
      expect(page.holders.map((h) => h.id)).toEqual(body.data.map((h: { id: string }) => h.id));
      expect(page.total).toBe(body.total);
      expect(page.nextStartingAfter).toBe(body.more_starting_after ?? body.data.at(-1)?.id ?? null);
    },
  );

  test.each(["add-holders.response.200.example.json", "add-holders-with-campaign-id.response.200.example.json"])(
    "%s: holders with metadata",
    (file) => {
      const holders = toAddedHolders(example(file));
      expect(holders.length).toBeGreaterThan(0);
      for (const holder of holders) {
        expect(holder.holderRole).toBe("REFEREE");
        expect(holder.metadata).toEqual(expect.any(Object));
        expect(holder.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    },
  );

  test("an unknown campaign_type is tolerated as null; unknown keys are ignored", () => {
    const holder = { ...example("list-holders.response.200.example.json").data[0], campaign_type: "LOYALTY_PROGRAM", extra: 1 };
    expect(toHolderRecord(holder).campaignType).toBeNull();
  });

  const good = () => ({ ...example("list-holders.response.200.example.json").data[0] });
  test.each<[string, unknown]>([
    ["not an object", "rh_1"],
    ["an array", [good()]],
    ["null", null],
    ["no id", { ...good(), id: undefined }],
    ["an empty id", { ...good(), id: "" }],
    ["a numeric id", { ...good(), id: 7 }],
    ["a created_at that is no date", { ...good(), created_at: "yesterday" }],
    ["an unknown holder_role", { ...good(), holder_role: "FRIEND" }],
    ["holder_role toString (an inherited name)", { ...good(), holder_role: "toString" }],
    ["voucher_type constructor (an inherited name)", { ...good(), voucher_type: "constructor" }],
    ["no customer_id", { ...good(), customer_id: null }],
    ["no voucher_type", { ...good(), voucher_type: undefined }],
  ])("a holder with %s is an UpstreamShapeError", (_name, value) => {
    expect(() => toHolderRecord(value)).toThrow(UpstreamShapeError);
  });

  test.each<[string, unknown]>([
    ["no data array", { object: "list", total: 0, has_more: false }],
    ["a negative total", { data: [], total: -1, has_more: false }],
    ["a string total", { data: [], total: "2", has_more: false }],
    ["no has_more", { data: [], total: 0 }],
    ["a bad holder inside", { data: [{ id: "rh_1" }], total: 1, has_more: false }],
  ])("a list with %s is an UpstreamShapeError", (_name, value) => {
    expect(() => toHolderPage(value)).toThrow(UpstreamShapeError);
  });

  test("an add-holders answer without a holders array is an UpstreamShapeError", () => {
    expect(() => toAddedHolders({ data: [] })).toThrow(UpstreamShapeError);
  });

  test("toCustomerRecord keeps known strings and nulls the rest", () => {
    expect(toCustomerRecord({ id: "cust_1", object: "customer", source_id: "s", name: "N", email: 5, address: null })).toEqual({
      id: "cust_1",
      sourceId: "s",
      name: "N",
      email: null,
      phone: null,
    });
    expect(() => toCustomerRecord({ name: "no id" })).toThrow(UpstreamShapeError);
  });
});
