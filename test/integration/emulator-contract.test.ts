import { readFileSync } from "node:fs";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { validateUpstreamResponse } from "../support/openapi-validator.js";

// Every kind of response the emulator gives for the six operations, checked against the OpenAPI document itself
// and, where Voucherify published a real body, against that example.

const LIST = "/v1/referrals/members/{memberId}/holders";
const LIST_C = "/v1/referrals/{campaignId}/members/{memberId}/holders";
const ONE = "/v1/referrals/members/{memberId}/holders/{holderId}";
const ONE_C = "/v1/referrals/{campaignId}/members/{memberId}/holders/{holderId}";
type Method = "get" | "post" | "delete";

const example = (name: string) => JSON.parse(readFileSync(`test/fixtures/voucherify/examples/${name}`, "utf8")) as Record<string, unknown>;
const withoutRequestId = ({ request_id: _ignored, ...rest }: Record<string, unknown>) => rest;

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

async function call(method: Method, path: string, body?: unknown, auth = true) {
  const res = await fetch(emu.url + path, {
    method: method.toUpperCase(),
    headers: {
      ...(auth ? { "x-app-id": emu.appId, "x-app-token": emu.appToken } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown> & { data?: { id: string }[]; holders?: { id: string }[] }),
  };
}

/** Calls and checks the response against the spec; returns it for further assertions. */
async function valid(method: Method, template: string, path: string, expectedStatus: number, body?: unknown) {
  const res = await call(method, path, body);
  expect({ status: res.status, errors: validateUpstreamResponse(method, template, res.status, res.body) }).toEqual({
    status: expectedStatus,
    errors: [],
  });
  if (res.status >= 400) expect(res.body!.request_id).toMatch(/^v-[0-9a-f]{18}$/);
  return res;
}

describe.each([
  { variant: "member path", list: LIST, one: ONE, base: `/v1/referrals/members` },
  { variant: "campaign path", list: LIST_C, one: ONE_C, base: `/v1/referrals/${SEED.campaignId}/members` },
])("$variant", ({ list, one, base }) => {
  const holders = (member: string) => `${base}/${member}/holders`;

  test("list: default, limit+order, cursor, filters, junction or", async () => {
    const first = await valid("get", list, holders(SEED.code), 200);
    expect(first.body!.data).toHaveLength(10);
    await valid("get", list, `${holders(SEED.voucherId)}?limit=3&order=-id`, 200);
    await valid("get", list, `${holders(SEED.code)}?limit=5&starting_after_id=${first.body!.more_starting_after as string}`, 200);
    await valid(
      "get",
      list,
      `${holders(SEED.code)}?filters[holder_role][conditions][$in][0]=REFEREE` +
        "&filters[created_at][conditions][$after]=2026-01-01T00:05:00.000Z",
      200,
    );
    await valid(
      "get",
      list,
      `${holders(SEED.code)}?filters[holder_role][conditions][$is]=REFERRER&filters[customer_id][conditions][$is]=x&filters[junction]=or`,
      200,
    );
  });

  test("list: 404 unknown code (the published example body)", async () => {
    const res = await valid("get", list, holders("v_wnd4fslUpkLnZH0KthYDxouBSgn24Yr"), 404);
    expect(withoutRequestId(res.body!)).toEqual(withoutRequestId(example("list-holders.response.404.resource-not-found.json")));
  });

  test("list: 400 bad limit (an Error envelope)", async () => {
    await valid("get", list, `${holders(SEED.code)}?limit=0`, 400);
  });

  test("add: 200 with metadata", async () => {
    const res = await valid("post", list, holders(SEED.code), 200, {
      holders: [
        { source_id: `contract-${list.length}-1`, name: "Alex Doe", country: "England" },
        { source_id: `contract-${list.length}-2` },
      ],
      metadata: { influencer_code: true },
    });
    expect(res.body!.holders).toHaveLength(2);
  });

  test("add: 400 invalid payload, 400 not published, 404 voucher, 404 customer, 409 duplicate, 409 assigned", async () => {
    const invalid = await valid("post", list, holders(SEED.code), 400, { holders: [] });
    expect(withoutRequestId(invalid.body!)).toEqual(withoutRequestId(example("add-holders.response.400.invalid-payload.json")));
    const unpublished = await valid("post", list, holders(SEED.unpublishedCode), 400, { holders: [{ source_id: "x" }] });
    expect(withoutRequestId(unpublished.body!)).toEqual(
      withoutRequestId(example("add-holders.response.400.voucher-not-published-yet.json")),
    );
    const noVoucher = await valid("post", list, holders("REFAPI-mk"), 404, { holders: [{ source_id: "x" }] });
    expect(withoutRequestId(noVoucher.body!)).toEqual(withoutRequestId(example("add-holders.response.404.voucher-not-found.json")));
    await valid("post", list, holders(SEED.code), 404, { holders: [{ id: "cust_doesNotExist000000000000" }] });
    const dup = await valid("post", list, holders(SEED.code), 409, { holders: [{ source_id: "tst-prsn10" }, { source_id: "tst-prsn10" }] });
    expect(withoutRequestId(dup.body!)).toEqual(
      withoutRequestId(example("add-holders.response.409.duplicate-customer-id-or-source-id.json")),
    );
    const assigned = await valid("post", list, holders(SEED.code), 409, { holders: [{ source_id: "demo-referee-25" }] });
    expect(assigned.body).toMatchObject(withoutRequestId(example("add-holders.response.409.customer-already-assigned.json")));
  });

  test("remove: 204, 403 referrer, 404 holder, 404 voucher", async () => {
    const page = await call("get", `${holders(SEED.code)}?filters[holder_role][conditions][$is]=REFEREE&limit=1`);
    const refereeId = page.body!.data![0].id;
    await valid("delete", one, `${holders(SEED.code)}/${refereeId}`, 204);
    const referrer = await call("get", `${holders(SEED.code)}?filters[holder_role][conditions][$is]=REFERRER`);
    const forbidden = await valid("delete", one, `${holders(SEED.code)}/${referrer.body!.data![0].id}`, 403);
    expect(withoutRequestId(forbidden.body!)).toEqual(withoutRequestId(example("remove-holder.response.403.removing-the-referrer.json")));
    const noHolder = await valid("delete", one, `${holders(SEED.code)}/rh_0f1ab744ce8277d0dc`, 404);
    expect(withoutRequestId(noHolder.body!)).toEqual(
      withoutRequestId(example("remove-holder.response.404.redeemable-holder-not-found.json")),
    );
    const noCard = await valid("delete", one, `${holders("v_uOrG9tQresN9X51gbAoo0a2vY4MLV9l")}/${refereeId}`, 404);
    expect(withoutRequestId(noCard.body!)).toEqual(withoutRequestId(example("remove-holder.response.404.referral-card-not-found.json")));
  });
});

test("campaign path: unknown campaign is 404 campaign, for every operation (published example bodies)", async () => {
  const camp = "camp_v1mxc6sGDlXzQygz8wBc8HVU";
  const get = await valid("get", LIST_C, `/v1/referrals/${camp}/members/${SEED.code}/holders`, 404);
  const post = await valid("post", LIST_C, `/v1/referrals/${camp}/members/${SEED.code}/holders`, 404, { holders: [{ source_id: "x" }] });
  expect(withoutRequestId(post.body!)).toEqual(
    withoutRequestId(example("add-holders-with-campaign-id.response.404.campaign-not-found.json")),
  );
  expect(get.body).toMatchObject({ key: "not_found", resource_type: "campaign", resource_id: camp });
  const del = await valid("delete", ONE_C, `/v1/referrals/camp_vVk4unz3k4gA023fk9XoSiT/members/${SEED.code}/holders/rh_1`, 404);
  expect(withoutRequestId(del.body!)).toEqual(
    withoutRequestId(example("remove-holder-with-campaign-id.response.404.campaign-not-found.json")),
  );
});

test("401 without or with wrong credentials, for every operation", async () => {
  const unauthorized = withoutRequestId(example("error.401-unauthorized.json"));
  for (const [method, template, path] of [
    ["get", LIST, `/v1/referrals/members/${SEED.code}/holders`],
    ["post", LIST_C, `/v1/referrals/${SEED.campaignId}/members/${SEED.code}/holders`],
    ["delete", ONE, `/v1/referrals/members/${SEED.code}/holders/rh_1`],
  ] as const) {
    const res = await call(method, path, method === "post" ? { holders: [{ source_id: "x" }] } : undefined, false);
    expect(res.status).toBe(401);
    expect(validateUpstreamResponse(method, template, 401, res.body)).toEqual([]);
    expect(withoutRequestId(res.body!)).toEqual(unauthorized);
  }
  const wrong = await fetch(`${emu.url}/v1/referrals/members/${SEED.code}/holders`, {
    headers: { "x-app-id": emu.appId, "x-app-token": "nope" },
  });
  expect(wrong.status).toBe(401);
});

describe("the validator can fail", () => {
  test("rejects a holder without object, a null campaign_type (the spec's own example), a 204 with a body, bad errors", async () => {
    const page = await call("get", `/v1/referrals/members/${SEED.code}/holders?limit=1`);
    const { object: _dropped, ...holderWithoutObject } = page.body!.data![0] as unknown as Record<string, unknown>;
    expect(validateUpstreamResponse("get", LIST, 200, { ...page.body, data: [holderWithoutObject] })).not.toEqual([]);
    expect(validateUpstreamResponse("get", LIST, 200, example("list-holders.response.200.example.json")).join()).toMatch(/campaign_type/);
    expect(validateUpstreamResponse("post", LIST, 200, { holders: [{ id: 1 }] })).not.toEqual([]);
    expect(validateUpstreamResponse("delete", ONE, 204, { unexpected: true })).not.toEqual([]);
    expect(validateUpstreamResponse("post", LIST, 409, { key: "x" })).not.toEqual([]);
    expect(validateUpstreamResponse("get", LIST, 201, {})).not.toEqual([]);
    expect(validateUpstreamResponse("get", "/v1/nope", 200, {})).not.toEqual([]);
  });
});
