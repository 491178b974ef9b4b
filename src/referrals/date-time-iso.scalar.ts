import { GraphQLScalarType } from "graphql";
import { GraphQLDateTimeISO } from "graphql-scalars";

const printed = GraphQLDateTimeISO.toConfig();

/**
 * graphql-scalars' DateTimeISO (the one type-graphql names GraphQLISODateTime): same name, description, input
 * parsing (to a `Date`) and printing, except that a string is served as it is. The records' instants are strings the
 * data source has already checked and put in the printed form (voucherify/iso-date-time.ts, the type IsoDateTime):
 * graphql-scalars would parse each into a `Date` and print it back, the same bytes at a cost on every answer. Inputs
 * and any `Date` still go through graphql-scalars.
 */
export const DateTimeISO = new GraphQLScalarType({
  ...printed,
  serialize(value: unknown) {
    return typeof value === "string" ? value : printed.serialize(value);
  },
});
