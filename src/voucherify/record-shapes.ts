import { entryShape, type ShapeOf } from "../shared-state/entry-shape.js";
import { CampaignType, HolderRole, VoucherType, type CustomerRecord, type HolderPage, type HolderRecord } from "./domain.js";

// The records the shared cache keeps, declared field by field. Each declaration is checked against the record's type
// (ShapeOf): change a record in domain.ts and this file stops compiling until its declaration says the same, which
// changes the format its cache entries are written in (src/shared-state/entry-shape.ts).

const HOLDER: ShapeOf<HolderRecord> = {
  record: {
    id: "string",
    createdAt: "instant",
    holderRole: { oneOf: Object.values(HolderRole) },
    customerId: "string",
    redeemableId: "string",
    redeemableObject: "string",
    campaignId: { nullable: "string" },
    campaignType: { nullable: { oneOf: Object.values(CampaignType) } },
    voucherType: { oneOf: Object.values(VoucherType) },
    metadata: { nullable: "object" },
  },
};

export const HOLDER_PAGE_ENTRY = entryShape<HolderPage>("page", {
  record: {
    holders: { list: HOLDER },
    total: "number",
    hasMore: "boolean",
    nextStartingAfter: { nullable: "string" },
  },
});

export const CUSTOMER_ENTRY = entryShape<CustomerRecord>("customer", {
  record: {
    id: "string",
    sourceId: { nullable: "string" },
    name: { nullable: "string" },
    email: { nullable: "string" },
    phone: { nullable: "string" },
  },
});
