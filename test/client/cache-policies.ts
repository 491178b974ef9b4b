import { InMemoryCache } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

/**
 * The Apollo Client cache configuration docs/frontend/clients.md recommends (its "Cache keys" section), as code the tests use.
 * `ReferralMember.id` is the member id exactly as given, so the record key adds `campaignId`: a campaign-scoped read and
 * an unscoped one are two records and neither overwrites the other's `campaignId`. Holders and customers have
 * Voucherify ids (rh_..., cust_...) that are unique on their own, so they keep the default `id` key.
 */
export function referralsCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      ReferralMember: {
        keyFields: ["id", "campaignId"],
        fields: { holders: relayStylePagination(["order", "filter"]) },
      },
    },
  });
}
