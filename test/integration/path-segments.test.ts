import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { VoucherifyClient } from "../../src/voucherify/client.js";
import { upstreamErrorCode } from "../../src/voucherify/error-mapping.js";
import { InvalidPathSegmentError, UpstreamError } from "../../src/voucherify/upstream-errors.js";
import { UpstreamTransport } from "../../src/voucherify/transport.js";

// The data source's last line of defence, behind the resolvers' checks (which the GraphQL tests exercise, and which
// hide this one from them): an id that URL parsing would resolve away ("." or "..") never becomes a path segment,
// whoever calls the client. Percent-encoded dots stay literal: they reach the upstream as the id they are.
let emulator: EmulatorHandle;
let transport: UpstreamTransport;
let client: VoucherifyClient;

beforeAll(async () => {
  emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
  transport = new UpstreamTransport({ baseUrl: emulator.url, timeoutMs: 5000, retryBaseDelayMs: 1 });
  client = new VoucherifyClient(transport, { appId: emulator.appId, appToken: emulator.appToken });
});
afterAll(async () => {
  transport.close();
  await emulator.stop();
});
beforeEach(() => emulator.resetRequests());

const list = (memberId: string, campaignId?: string) => client.listHolders({ memberId, campaignId, limit: 10, order: "id" });

describe("ids that are dot segments are refused before any upstream call", () => {
  test.each([
    ["memberId .", () => list("."), "memberId"],
    ["memberId ..", () => list(".."), "memberId"],
    ["campaignId ..", () => list(SEED.code, ".."), "campaignId"],
    ["holderId ..", () => client.removeHolder({ memberId: SEED.code }, ".."), "holderId"],
    ["customerId .", () => client.getCustomer("."), "customerId"],
  ])("%s", async (_name, call, field) => {
    const error = await call().then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(InvalidPathSegmentError);
    expect((error as InvalidPathSegmentError).field).toBe(field);
    // The typed refusal is a client's mistake in the error table.
    expect(upstreamErrorCode(error as UpstreamError)).toBe("BAD_USER_INPUT");
    expect(emulator.requests).toHaveLength(0);
  });

  test.each(["%2e%2e", "%2E", ".%2e"])(
    "an encoded dot segment (%s) stays one literal segment: the member is looked up, not another path",
    async (memberId) => {
      const error = await list(memberId).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      // The emulator found no such member under the holders route: the request reached that route, with the id as sent.
      expect(error).toBeInstanceOf(UpstreamError);
      expect(upstreamErrorCode(error as UpstreamError)).toBe("NOT_FOUND");
      expect(emulator.requests.map((request) => request.path)).toEqual([`/v1/referrals/members/${encodeURIComponent(memberId)}/holders`]);
    },
  );

  test("a plain id is called (sanity: the refusals above are not every call failing)", async () => {
    const page = await list(SEED.code);
    expect(page).toBeDefined();
    expect(emulator.requests).toHaveLength(1);
  });
});
