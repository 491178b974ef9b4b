import { boolean, integer, text } from "./parsers.js";
import { defineSettings } from "./setting.js";

export const OPERATION_SETTINGS = defineSettings({
  title: "GraphQL operations",
  about: [
    "production: introspection, landing page and stack traces off (override the first two below).",
    "GRAPHQL_MAX_COST: a 100-holder page with customers costs 101; lower it on small Voucherify plans.",
  ],
  settings: {
    NODE_ENV: { meaning: "production: introspection, landing page and stack traces off", default: "development", parse: text },
    GRAPHQL_INTROSPECTION: {
      meaning: "Override: true/false for introspection",
      defaultText: "on outside production",
      example: "false",
      parse: boolean(),
    },
    GRAPHQL_LANDING_PAGE: {
      meaning: "Override: true/false for the Apollo Sandbox landing page",
      defaultText: "on outside production",
      example: "false",
      parse: boolean(),
    },
    OPERATION_TIMEOUT_MS: {
      meaning: "Longest one GraphQL operation may run; then (or when its client goes away) its upstream calls are cancelled",
      default: 30_000,
      parse: integer(100, 600_000),
    },
    GRAPHQL_MAX_COST: {
      meaning: "Most upstream calls one operation may make (estimated before it runs); lower it on small Voucherify plans",
      // src/limits/operation-limits.ts explains the figure (MAX_OPERATION_COST is this default).
      default: 110,
      parse: integer(1, 100_000),
    },
  },
});
