import { GraphQLDateTimeISO } from "graphql-scalars";
import { DateTimeISO } from "../../src/referrals/date-time-iso.scalar.js";
import { toIsoDateTime } from "../../src/voucherify/iso-date-time.js";

// The served bytes of `createdAt` must be what graphql-scalars printed when records carried a `Date` made from the
// upstream's text: `DateTimeISO.serialize(new Date(text))`. These are the upstream texts that could reach it.
const UPSTREAM_TEXTS = [
  "2024-03-15T09:08:50.529Z", // Voucherify's own form
  "2024-03-15T09:08:50Z", // no milliseconds
  "2024-03-15T09:08:50.5Z", // one digit of them
  "2024-03-15T09:08:50.529123Z", // microseconds
  "2024-03-15T09:08:50.529+02:00", // an offset
  "2024-03-15T09:08:50.529-00:30",
  "2024-03-15", // a date alone
  "2024-03-15T09:08:50.529", // no zone: a local time, for Date
  "2024-02-29T23:59:59.999Z", // a leap day
  "2000-02-29T00:00:00.000Z", // a leap century
  "2023-02-29T00:00:00.000Z", // no leap day that year: Date reads March 1
  "2100-02-29T00:00:00.000Z", // nor in a century that is not a leap one
  "2024-02-30T00:00:00.000Z",
  "2024-04-31T12:00:00.000Z",
  "2024-01-01T24:00:00.000Z", // the next day's midnight, for Date
  "0000-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "1970-01-01T00:00:00.000Z",
  "2024-12-31T23:59:59.000Z",
];
const NOT_DATES = ["yesterday", "", "2024-13-01T00:00:00.000Z", "2024-01-01T23:59:60.000Z"];

describe("instants checked once at the boundary (toIsoDateTime) and served as they are (DateTimeISO)", () => {
  test.each(UPSTREAM_TEXTS)("%s is served exactly as graphql-scalars printed its Date", (text) => {
    const before = GraphQLDateTimeISO.serialize(new Date(text));
    const checked = toIsoDateTime(text);
    expect(checked).toBe(before);
    expect(DateTimeISO.serialize(checked)).toBe(before);
  });

  test("text in the printed form is kept as the same string, not a copy made through Date", () => {
    const text = "2024-03-15T09:08:50.529Z";
    expect(toIsoDateTime(text)).toBe(text);
  });

  test.each(NOT_DATES)("%j is no date: null, which the mapper turns into UPSTREAM_ERROR", (text) => {
    expect(toIsoDateTime(text)).toBeNull();
  });

  test("every day of a leap and a common year, at the edges of the clock, agrees with Date", () => {
    for (const year of [2023, 2024]) {
      for (let day = 0; day < 366; day++) {
        const date = new Date(Date.UTC(year, 0, 1 + day, day % 24, (day * 7) % 60, (day * 13) % 60, day % 1000));
        const text = date.toISOString();
        expect(toIsoDateTime(text)).toBe(text);
      }
    }
  });

  test("the scalar still prints a Date and parses inputs as graphql-scalars does", () => {
    const date = new Date("2024-03-15T09:08:50.529Z");
    expect(DateTimeISO.serialize(date)).toBe(GraphQLDateTimeISO.serialize(date));
    expect(DateTimeISO.parseValue("2024-03-15T09:08:50Z")).toEqual(GraphQLDateTimeISO.parseValue("2024-03-15T09:08:50Z"));
    expect(() => DateTimeISO.parseValue("yesterday")).toThrow();
    expect(DateTimeISO.name).toBe(GraphQLDateTimeISO.name);
    expect(DateTimeISO.description).toBe(GraphQLDateTimeISO.description);
  });
});
