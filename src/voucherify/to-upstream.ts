import type { HolderCustomer } from "./domain.js";
import type { UpstreamCustomerInput } from "./upstream-types.js";

/** A holder to add -> Voucherify Customer; unset fields are left out so an upsert does not clear them. */
export function toUpstreamCustomerInput(input: HolderCustomer): UpstreamCustomerInput {
  const customer: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) customer[key] = value;
  };
  set("id", input.id);
  set("source_id", input.sourceId);
  set("name", input.name);
  set("email", input.email);
  set("phone", input.phone);
  set("description", input.description);
  set("birthdate", input.birthdate);
  set("metadata", input.metadata);
  if (input.address) {
    const address: Record<string, unknown> = {};
    const a = input.address;
    for (const [key, value] of [
      ["city", a.city],
      ["state", a.state],
      ["line_1", a.line1],
      ["line_2", a.line2],
      ["country", a.country],
      ["postal_code", a.postalCode],
    ] as const) {
      if (value !== undefined && value !== null) address[key] = value;
    }
    customer.address = address;
  }
  return customer;
}
