import type { EmulatorStore, HolderRole } from "./store.js";

/** Fixed ids of the demo data, exported so tests (and docs) can refer to them instead of copying strings. */
export const SEED = {
  campaignId: "camp_demo_referral_program",
  campaignName: "Demo referral program",
  code: "WELCOME-REF",
  voucherId: "v_demoWelcomeRef000000000000000000",
  referrerCustomerId: "cust_demoReferrer000000000000",
  referrerSourceId: "demo-referrer",
  refereeCount: 25,
  unpublishedCode: "UNPUBLISHED-REF",
  unpublishedVoucherId: "v_demoUnpublishedRef00000000000000",
  otherCampaignId: "camp_other_referral_program",
  otherCampaignName: "Other referral program",
  otherCode: "OTHER-REF",
  otherVoucherId: "v_demoOtherRef00000000000000000000",
  otherReferrerCustomerId: "cust_otherReferrer00000000000",
  otherReferrerSourceId: "other-referrer",
  otherRefereeCount: 3,
  /** created_at of the first seeded record; each next one is one minute later. */
  epoch: "2026-01-01T00:00:00.000Z",
} as const;

const two = (n: number) => String(n).padStart(2, "0");
/** `cust_` + 24 characters, like Voucherify's ids. */
const customerId = (stem: string) => ("cust_" + stem).padEnd(29, "0");

export const demoRefereeCustomerId = (n: number) => customerId(`demoReferee${two(n)}`);
export const demoRefereeSourceId = (n: number) => `demo-referee-${two(n)}`;
export const otherRefereeCustomerId = (n: number) => customerId(`otherReferee${two(n)}`);
export const otherRefereeSourceId = (n: number) => `other-referee-${two(n)}`;

/** Seeds the demo referral programs when the database has no campaign yet; deterministic ids and timestamps. */
export function seedIfEmpty(store: EmulatorStore): boolean {
  if (!store.isEmpty()) return false;
  store.transaction(() => {
    let minute = 0;
    const epoch = Date.parse(SEED.epoch);
    const holder = (voucherId: string, cust: { id: string; sourceId: string; name: string; email: string }, role: HolderRole) => {
      const at = epoch + minute++ * 60_000;
      const created_at = new Date(at).toISOString();
      store.insertCustomer({
        id: cust.id,
        source_id: cust.sourceId,
        name: cust.name,
        email: cust.email,
        phone: null,
        description: null,
        birthdate: null,
        address: null,
        metadata: null,
        created_at,
      });
      store.insertHolder({
        id: store.nextHolderId(at),
        voucher_id: voucherId,
        customer_id: cust.id,
        holder_role: role,
        metadata: null,
        created_at,
      });
    };

    store.insertCampaign({ id: SEED.campaignId, name: SEED.campaignName });
    store.insertCampaign({ id: SEED.otherCampaignId, name: SEED.otherCampaignName });
    store.insertVoucher({ id: SEED.voucherId, code: SEED.code, campaign_id: SEED.campaignId });
    store.insertVoucher({ id: SEED.unpublishedVoucherId, code: SEED.unpublishedCode, campaign_id: SEED.campaignId });
    store.insertVoucher({ id: SEED.otherVoucherId, code: SEED.otherCode, campaign_id: SEED.otherCampaignId });

    holder(
      SEED.voucherId,
      { id: SEED.referrerCustomerId, sourceId: SEED.referrerSourceId, name: "Demo Referrer", email: "referrer@example.com" },
      "REFERRER",
    );
    for (let n = 1; n <= SEED.refereeCount; n++) {
      holder(
        SEED.voucherId,
        {
          id: demoRefereeCustomerId(n),
          sourceId: demoRefereeSourceId(n),
          name: `Referee ${two(n)}`,
          email: `referee${two(n)}@example.com`,
        },
        "REFEREE",
      );
    }
    holder(
      SEED.otherVoucherId,
      {
        id: SEED.otherReferrerCustomerId,
        sourceId: SEED.otherReferrerSourceId,
        name: "Other Referrer",
        email: "other-referrer@example.com",
      },
      "REFERRER",
    );
    for (let n = 1; n <= SEED.otherRefereeCount; n++) {
      holder(
        SEED.otherVoucherId,
        {
          id: otherRefereeCustomerId(n),
          sourceId: otherRefereeSourceId(n),
          name: `Other Referee ${two(n)}`,
          email: `other-referee${two(n)}@example.com`,
        },
        "REFEREE",
      );
    }
  });
  return true;
}
