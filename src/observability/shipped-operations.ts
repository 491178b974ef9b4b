/**
 * Names of the operations the project ships (schema/operations/*.graphql, the Sandbox's initial document): metrics
 * always give them their own label. A checked list rather than a file read at run time, so dist/ needs nothing from
 * schema/; test/unit/shipped-operations.test.ts fails when it drifts from the .graphql files.
 */
export const SHIPPED_OPERATIONS: readonly string[] = [
  "AddHolders",
  "FilteredHolders",
  "ReferralHolders",
  "ReferralHoldersBackward",
  "RemoveHolder",
];
