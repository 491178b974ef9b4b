import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEED, demoRefereeCustomerId, otherRefereeCustomerId } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import type { UpstreamCustomer, UpstreamHolder, UpstreamHolderList } from "../../src/voucherify/upstream-types.js";

// Behaviour beyond the schema: ordering, cursors, filters, all-or-nothing writes, faults. Each describe block owns
// an emulator, so writes in one block never change what another block sees.

const minute = (n: number) => new Date(Date.parse(SEED.epoch) + n * 60_000).toISOString();
const welcome = `/v1/referrals/members/${SEED.code}/holders`;

function client(emu: () => EmulatorHandle) {
  return async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const e = emu();
    const res = await fetch(e.url + path, {
      method,
      headers: { "x-app-id": e.appId, "x-app-token": e.appToken },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: (text ? JSON.parse(text) : undefined) as T & { key?: string; details?: string; resource_id?: string; resource_type?: string },
    };
  };
}

function useEmulator() {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.stop());
  return { emu: () => emu, call: client(() => emu) };
}

async function listAll(call: ReturnType<typeof client>, path: string, query: string) {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const res = await call<UpstreamHolderList>("GET", `${path}?${query}${after ? `&starting_after_id=${after}` : ""}`);
    expect(res.status).toBe(200);
    ids.push(...res.body.data.map((h) => h.id));
    if (!res.body.has_more) {
      expect(res.body.more_starting_after).toBeUndefined();
      return { ids, total: res.body.total };
    }
    expect(res.body.more_starting_after).toBe(res.body.data[res.body.data.length - 1].id);
    after = res.body.more_starting_after;
  }
  throw new Error("paging did not end");
}

describe("seeded data and reading", () => {
  const { call } = useEmulator();

  test("the first holder is the seeded referrer, exactly", async () => {
    const res = await call<UpstreamHolderList>("GET", `${welcome}?limit=2`);
    expect(res.body.total).toBe(26);
    expect(res.body.has_more).toBe(true);
    expect(res.body.data[0]).toEqual({
      id: res.body.data[0].id,
      created_at: "2026-01-01T00:00:00.000Z",
      redeemable_id: SEED.voucherId,
      redeemable_object: "voucher",
      customer_id: SEED.referrerCustomerId,
      holder_role: "REFERRER",
      campaign_id: SEED.campaignId,
      campaign_type: "REFERRAL_PROGRAM",
      voucher_type: "DISCOUNT_VOUCHER",
      object: "redeemable_holder",
    } satisfies UpstreamHolder);
    expect(res.body.data[1]).toMatchObject({ customer_id: demoRefereeCustomerId(1), holder_role: "REFEREE", created_at: minute(1) });
    expect(res.body.data[0].id).toMatch(/^rh_[0-9a-f]{18}$/);
  });

  test("paging with limit 7 visits all 26 holders once, in id order (and reversed for -id)", async () => {
    const asc = await listAll(call, welcome, "limit=7&order=id");
    expect(asc.total).toBe(26);
    expect(asc.ids).toHaveLength(26);
    expect(new Set(asc.ids).size).toBe(26);
    expect(asc.ids).toEqual([...asc.ids].sort());
    const desc = await listAll(call, welcome, "limit=7&order=-id");
    expect(desc.ids).toEqual([...asc.ids].reverse());
    const byDefault = await listAll(call, welcome, "limit=7");
    expect(byDefault.ids).toEqual(asc.ids);
  });

  test("the voucher id and the code name the same member; the campaign path checks membership", async () => {
    const byCode = await call<UpstreamHolderList>("GET", welcome);
    const byId = await call<UpstreamHolderList>("GET", `/v1/referrals/members/${SEED.voucherId}/holders`);
    const inCampaign = await call<UpstreamHolderList>("GET", `/v1/referrals/${SEED.campaignId}/members/${SEED.code}/holders`);
    expect(byId.body).toEqual(byCode.body);
    expect(inCampaign.body).toEqual(byCode.body);
    const wrongCampaign = await call("GET", `/v1/referrals/${SEED.otherCampaignId}/members/${SEED.code}/holders`);
    expect(wrongCampaign.status).toBe(404);
    expect(wrongCampaign.body).toMatchObject({ key: "not_found", resource_type: "voucher", resource_id: SEED.code });
    const other = await call<UpstreamHolderList>("GET", `/v1/referrals/${SEED.otherCampaignId}/members/${SEED.otherCode}/holders`);
    expect(other.body.total).toBe(4);
  });

  test.each([
    ["roles $in REFEREE", "filters[holder_role][conditions][$in][0]=REFEREE", 25],
    ["roles $in both", "filters[holder_role][conditions][$in][0]=REFEREE&filters[holder_role][conditions][$in][1]=REFERRER", 26],
    ["roles $not_in REFEREE", "filters[holder_role][conditions][$not_in][0]=REFEREE", 1],
    ["role $is REFERRER", "filters[holder_role][conditions][$is]=REFERRER", 1],
    ["role $is_not REFERRER", "filters[holder_role][conditions][$is_not]=REFERRER", 25],
    [
      "customer ids",
      `filters[customer_id][conditions][$in][0]=${demoRefereeCustomerId(2)}` +
        `&filters[customer_id][conditions][$in][1]=${demoRefereeCustomerId(5)}`,
      2,
    ],
    [
      "created_at range (exclusive)",
      `filters[created_at][conditions][$after]=${minute(5)}&filters[created_at][conditions][$before]=${minute(10)}`,
      4,
    ],
    ["created_at $after with offset", `filters[created_at][conditions][$after]=2026-01-01T01:20:00%2B01:00`, 5],
    [
      "junction or",
      `filters[holder_role][conditions][$is]=REFERRER&filters[customer_id][conditions][$is]=${demoRefereeCustomerId(3)}` +
        "&filters[junction]=or",
      2,
    ],
    [
      "junction and (default)",
      `filters[holder_role][conditions][$is]=REFERRER&filters[customer_id][conditions][$is]=${demoRefereeCustomerId(3)}`,
      0,
    ],
    ["percent-encoded brackets", "filters%5Bholder_role%5D%5Bconditions%5D%5B%24in%5D%5B0%5D=REFERRER", 1],
  ])("filter: %s", async (_name, query, expected) => {
    const res = await call<UpstreamHolderList>("GET", `${welcome}?limit=100&${query}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(expected);
    expect(res.body.data).toHaveLength(expected);
  });

  test("filters combine with cursors: total ignores the cursor, has_more follows the filter", async () => {
    const q = "filters[holder_role][conditions][$is]=REFEREE&limit=10";
    const first = await call<UpstreamHolderList>("GET", `${welcome}?${q}`);
    const second = await call<UpstreamHolderList>("GET", `${welcome}?${q}&starting_after_id=${first.body.more_starting_after}`);
    const third = await call<UpstreamHolderList>("GET", `${welcome}?${q}&starting_after_id=${second.body.more_starting_after}`);
    expect([first.body.total, second.body.total, third.body.total]).toEqual([25, 25, 25]);
    expect([first.body.has_more, second.body.has_more, third.body.has_more]).toEqual([true, true, false]);
    expect(third.body.data.map((h) => h.customer_id)).toEqual([21, 22, 23, 24, 25].map(demoRefereeCustomerId));
  });

  test.each([
    ["limit=0", /limit/],
    ["limit=101", /limit/],
    ["limit=abc", /limit/],
    ["order=created_at", /order/],
    ["starting_after_id=rh_000000000000000000", /starting_after_id/],
    ["filters[email][conditions][$is]=x", /Unknown filter field/],
    ["filters[holder_role][conditions][$like]=x", /Unknown operator/],
    ["filters[holder_role][conditions][$in][0]=BOSS", /unknown holder role/],
    ["filters[created_at][conditions][$after]=yesterday", /ISO 8601/],
    ["filters[junction]=xor", /junction/],
    ["filters[holder_role][$in]=REFEREE", /Malformed/],
  ])("400 for %s, with details", async (query, details) => {
    const res = await call("GET", `${welcome}?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.key).toBe("invalid_payload");
    expect(res.body.details).toMatch(details);
  });

  test("a cursor from another member is refused", async () => {
    const other = await call<UpstreamHolderList>("GET", `/v1/referrals/members/${SEED.otherCode}/holders?limit=1`);
    const res = await call("GET", `${welcome}?starting_after_id=${other.body.data[0].id}`);
    expect(res.status).toBe(400);
    expect(res.body.details).toContain("starting_after_id");
  });

  test("customers: by id and by source_id; 404 customer", async () => {
    const res = await call<UpstreamCustomer>("GET", `/v1/customers/${demoRefereeCustomerId(7)}`);
    expect(res.body).toEqual({
      id: demoRefereeCustomerId(7),
      source_id: "demo-referee-07",
      name: "Referee 07",
      email: "referee07@example.com",
      address: null,
      metadata: {},
      object: "customer",
      created_at: minute(7),
    });
    expect((await call("GET", "/v1/customers/demo-referee-07")).body).toEqual(res.body);
    const missing = await call("GET", "/v1/customers/cust_nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ key: "not_found", resource_type: "customer", resource_id: "cust_nope" });
  });

  test("unknown route 404 JSON, wrong method 405 with Allow, bad JSON 400, oversized body 413", async () => {
    const route = await call("GET", "/v1/nothing");
    expect(route.status).toBe(404);
    expect(route.body.key).toBe("not_found");
    const method = await call("PUT", welcome, {});
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toBe("GET, POST");
    expect(method.body).toMatchObject({
      code: 405,
      message: "HTTP Method Not Allowed",
      details: "PUT is not supported by this endpoint. Did you mean GET or POST?",
    });
    const badJson = await call("POST", welcome, '{"holders": [');
    expect(badJson.status).toBe(400);
    expect(badJson.body.details).toMatch(/not valid JSON/);
    const big = await call("POST", welcome, JSON.stringify({ holders: [{ source_id: "x", description: "y".repeat(1_100_000) }] }));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe(413);
  });
});

describe("adding holders", () => {
  const { call } = useEmulator();
  const total = async () => (await call<UpstreamHolderList>("GET", welcome)).body.total;

  test("all or nothing: a batch whose 3rd customer already holds the code changes nothing", async () => {
    const res = await call("POST", welcome, {
      holders: [{ source_id: "batch-a" }, { source_id: "batch-b" }, { source_id: "demo-referee-04" }],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ key: "holder_assignement_duplication", resource_id: demoRefereeCustomerId(4) });
    expect(await total()).toBe(26);
    expect((await call("GET", "/v1/customers/batch-a")).status).toBe(404);
    expect((await call("GET", "/v1/customers/batch-b")).status).toBe(404);
  });

  test("all or nothing: an unknown customer id in the batch changes nothing, not even upserts before it", async () => {
    const res = await call("POST", welcome, {
      holders: [{ source_id: "other-referee-03", name: "Renamed" }, { source_id: "batch-c" }, { id: "cust_unknown" }],
    });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ resource_type: "customer", resource_id: "cust_unknown" });
    expect(await total()).toBe(26);
    expect((await call<UpstreamCustomer>("GET", "/v1/customers/other-referee-03")).body.name).toBe("Other Referee 03");
    expect((await call("GET", "/v1/customers/batch-c")).status).toBe(404);
  });

  test("the same source_id or id twice in one call is duplicate_found", async () => {
    const bySource = await call("POST", welcome, { holders: [{ source_id: "twice" }, { source_id: "twice" }] });
    expect(bySource.status).toBe(409);
    expect(bySource.body).toMatchObject({ key: "duplicate_found", resource_id: "twice", resource_type: "customer" });
    const byId = await call("POST", welcome, { holders: [{ id: otherRefereeCustomerId(1) }, { id: otherRefereeCustomerId(1) }] });
    expect(byId.body).toMatchObject({ key: "duplicate_found", resource_id: otherRefereeCustomerId(1) });
    const sameCustomer = await call("POST", welcome, { holders: [{ id: otherRefereeCustomerId(1) }, { source_id: "other-referee-01" }] });
    expect(sameCustomer.body).toMatchObject({ key: "duplicate_found", resource_id: otherRefereeCustomerId(1) });
    expect(await total()).toBe(26);
  });

  test.each([
    ["not JSON object", [], /JSON object/],
    ["holders missing", {}, /\.holders is required/],
    ["holders empty", { holders: [] }, /fewer than 1/],
    ["too many holders", { holders: Array.from({ length: 101 }, (_, i) => ({ source_id: `s${i}` })) }, /more than 100/],
    ["holder not an object", { holders: ["x"] }, /\.holders\[0\] must be object/],
    [
      "neither id nor source_id",
      { holders: [{ source_id: "ok" }, { name: "Nameless" }] },
      /\.holders\[1\] must have either id or source_id/,
    ],
    ["bad birthdate", { holders: [{ source_id: "ok", birthdate: "01/02/2000" }] }, /birthdate/],
    ["metadata not an object", { holders: [{ source_id: "ok" }], metadata: [1] }, /\.metadata must be object/],
  ])("400 invalid_payload: %s", async (_name, body, details) => {
    const res = await call("POST", welcome, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ key: "invalid_payload", message: "Invalid payload" });
    expect(res.body.details).toMatch(details);
  });

  test("new customers are created, known source_ids upserted; metadata goes on each holder", async () => {
    const res = await call<{ holders: UpstreamHolder[] }>("POST", welcome, {
      holders: [
        { source_id: "new-customer", name: "New Customer", email: "new@example.com", country: "Wales", address: { city: "Cardiff" } },
        { source_id: "other-referee-02", name: "Renamed Other" },
      ],
      metadata: { influencer_code: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.holders.map((h) => [h.holder_role, h.metadata, h.redeemable_id])).toEqual([
      ["REFEREE", { influencer_code: true }, SEED.voucherId],
      ["REFEREE", { influencer_code: true }, SEED.voucherId],
    ]);
    const [created, upserted] = res.body.holders;
    expect(created.customer_id).toMatch(/^cust_[A-Za-z0-9]{24}$/);
    expect(upserted.customer_id).toBe(otherRefereeCustomerId(2));
    expect((await call<UpstreamCustomer>("GET", `/v1/customers/${created.customer_id}`)).body).toMatchObject({
      source_id: "new-customer",
      name: "New Customer",
      email: "new@example.com",
      address: { city: "Cardiff" },
    });
    expect((await call<UpstreamCustomer>("GET", "/v1/customers/other-referee-02")).body).toMatchObject({
      name: "Renamed Other",
      email: "other-referee02@example.com",
    });

    const list = await call<UpstreamHolderList>("GET", `${welcome}?order=-id&limit=2`);
    expect(list.body.total).toBe(28);
    expect(list.body.data.map((h) => h.id)).toEqual([upserted.id, created.id]);
    expect(created.id < upserted.id).toBe(true);
  });

  test("an existing customer can be added by id; the unpublished code answers not_published", async () => {
    const byId = await call<{ holders: UpstreamHolder[] }>("POST", `/v1/referrals/${SEED.campaignId}/members/${SEED.voucherId}/holders`, {
      holders: [{ id: otherRefereeCustomerId(3) }],
    });
    expect(byId.status).toBe(200);
    expect(byId.body.holders[0].customer_id).toBe(otherRefereeCustomerId(3));
    const unpublished = await call("POST", `/v1/referrals/members/${SEED.unpublishedCode}/holders`, {
      holders: [{ source_id: "someone" }],
    });
    expect(unpublished.status).toBe(400);
    expect(unpublished.body.key).toBe("not_published");
    expect((await call("GET", "/v1/customers/someone")).status).toBe(404);
  });
});

describe("removing holders", () => {
  const { call } = useEmulator();

  test("remove then list: the holder is gone, a second remove is 404", async () => {
    const page = await call<UpstreamHolderList>("GET", `${welcome}?limit=3`);
    const victim = page.body.data[2];
    const del = await call("DELETE", `${welcome}/${victim.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    const after = await call<UpstreamHolderList>("GET", `${welcome}?limit=100`);
    expect(after.body.total).toBe(25);
    expect(after.body.data.map((h) => h.id)).not.toContain(victim.id);
    const again = await call("DELETE", `${welcome}/${victim.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ resource_type: "redeemable_holder", resource_id: victim.id });
  });

  test("the referrer cannot be removed; a holder of another code is not found", async () => {
    const referrer = (await call<UpstreamHolderList>("GET", `${welcome}?limit=1`)).body.data[0];
    const res = await call("DELETE", `${welcome}/${referrer.id}`);
    expect(res.status).toBe(403);
    expect(res.body.key).toBe("forbidden");
    const otherHolder = (await call<UpstreamHolderList>("GET", `/v1/referrals/members/${SEED.otherCode}/holders?order=-id&limit=1`)).body
      .data[0];
    const wrong = await call("DELETE", `${welcome}/${otherHolder.id}`);
    expect(wrong.status).toBe(404);
    expect((await call<UpstreamHolderList>("GET", `/v1/referrals/members/${SEED.otherCode}/holders`)).body.total).toBe(4);
  });
});

describe("faults and request recording", () => {
  const { emu, call } = useEmulator();
  afterEach(() => emu().clearFaults());

  test("a 503 fault answers until cleared, with its raw body and headers", async () => {
    emu().injectFault({ status: 503, body: "<html>down</html>", headers: { "Content-Type": "text/html", "Retry-After": "2" } });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(emu().url + welcome);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.headers.get("content-type")).toBe("text/html");
      expect(await res.text()).toBe("<html>down</html>");
    }
    emu().clearFaults();
    expect((await call("GET", welcome)).status).toBe(200);
  });

  test("times and match limit a fault", async () => {
    emu().injectFault({ status: 429, times: 1, match: (r) => r.method === "GET" && r.query.includes("limit=1") });
    expect((await call("GET", welcome)).status).toBe(200);
    const limited = await call("GET", `${welcome}?limit=1`);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 429 });
    expect((await call("GET", `${welcome}?limit=1`)).status).toBe(200);
  });

  test("latency delays a normal answer; dropConnection fails the request", async () => {
    emu().injectFault({ latencyMs: 150, times: 1 });
    const started = Date.now();
    expect((await call("GET", welcome)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    emu().injectFault({ dropConnection: true, times: 1 });
    await expect(fetch(emu().url + welcome)).rejects.toThrow();
    expect((await call("GET", welcome)).status).toBe(200);
  });

  test("every request is recorded in order, faulted ones included", async () => {
    emu().resetRequests();
    emu().injectFault({ status: 500, times: 1 });
    await call("GET", `${welcome}?limit=2`);
    await call("DELETE", `${welcome}/rh_x`);
    expect(emu().requests).toEqual([
      { method: "GET", path: welcome, query: "limit=2" },
      { method: "DELETE", path: `${welcome}/rh_x`, query: "" },
    ]);
  });
});

describe("a file database", () => {
  test("persists between runs, is seeded once, and keeps holder ids increasing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-"));
    const dbFile = join(dir, "nested", "emulator.sqlite");
    try {
      let emu = await startEmulator({ dbFile });
      const call = client(() => emu);
      const added = await call<{ holders: UpstreamHolder[] }>("POST", welcome, { holders: [{ source_id: "persisted" }] });
      await emu.stop();
      emu = await startEmulator({ dbFile, appId: "other-id", appToken: "other-token" });
      const list = await call<UpstreamHolderList>("GET", `${welcome}?order=-id&limit=1`);
      expect(list.body.total).toBe(27);
      expect(list.body.data[0].id).toBe(added.body.holders[0].id);
      const next = await call<{ holders: UpstreamHolder[] }>("POST", welcome, { holders: [{ source_id: "persisted-2" }] });
      expect(next.body.holders[0].id > added.body.holders[0].id).toBe(true);
      await emu.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("seed: false starts empty", async () => {
    const emu = await startEmulator({ seed: false });
    try {
      const res = await client(() => emu)("GET", welcome);
      expect(res.status).toBe(404);
    } finally {
      await emu.stop();
    }
  });
});
