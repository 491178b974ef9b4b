import type { UpstreamErrorBody } from "../voucherify/upstream-types.js";

/**
 * Voucherify's error envelope. Bodies mirror test/fixtures/voucherify/examples/*: same code/key/message text, so
 * clients written against the real API (and the gateway's error mapping) see no difference.
 */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly key: string,
    message: string,
    readonly details?: string,
    private readonly extra: {
      /** The resource the error is about: `resource_id` and `resource_type` in the body. */
      resource?: { id: string; type: string };
      /** Response headers beside the body (405's Allow). */
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }

  get headers(): Record<string, string> | undefined {
    return this.extra.headers;
  }

  toBody(requestId: string): UpstreamErrorBody {
    const body: UpstreamErrorBody = { code: this.status, key: this.key, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    body.request_id = requestId;
    const { resource } = this.extra;
    if (resource) {
      body.resource_id = resource.id;
      body.resource_type = resource.type;
    }
    return body;
  }
}

export const unauthorized = () => new EmulatorError(401, "unauthorized", "Unauthorized");

export const invalidPayload = (details: string) => new EmulatorError(400, "invalid_payload", "Invalid payload", details);

/** Query-string problems use the body problems' envelope, so clients need one 400 mapping only. */
export const invalidQuery = (details: string) => invalidPayload(details);

export const notFound = (resourceType: string, resourceId: string) =>
  new EmulatorError(404, "not_found", "Resource not found", `Cannot find ${resourceType} with id ${resourceId}`, {
    resource: { id: resourceId, type: resourceType },
  });

export const routeNotFound = (method: string, path: string) =>
  new EmulatorError(404, "not_found", "Resource not found", `No route for ${method} ${path}`);

export const methodNotAllowed = (method: string, allowed: readonly string[]) =>
  new EmulatorError(
    405,
    "method_not_allowed",
    "HTTP Method Not Allowed",
    `${method} is not supported by this endpoint. Did you mean ${allowed.join(" or ")}?`,
    { headers: { allow: allowed.join(", ") } },
  );

export const payloadTooLarge = (limit: number) =>
  new EmulatorError(413, "payload_too_large", "Payload Too Large", `Request body exceeds ${limit} bytes`);

export const notPublished = () =>
  new EmulatorError(
    400,
    "not_published",
    "Voucher is not published",
    "Referral code must be first published to Referrer before assigning it to Referee",
  );

export const duplicateFound = (customerKey: string) =>
  new EmulatorError(409, "duplicate_found", "Duplicated resource found", `Duplicated customer exists with id ${customerKey}`, {
    resource: { id: customerKey, type: "customer" },
  });

export const alreadyAssigned = (customerId: string, voucherId: string) =>
  new EmulatorError(
    409,
    "holder_assignement_duplication",
    "Customer is already assigned to given redeemable",
    `Customer ${customerId} is already assigned to voucher ${voucherId}`,
    { resource: { id: customerId, type: "customer" } },
  );

export const cannotRemoveReferrer = () =>
  new EmulatorError(403, "forbidden", "Can not remove assignment", "You can not remove Referrer assignment");

/** Request ids look like Voucherify's (`v-` + 18 hex); a per-process random base keeps them unique across restarts. */
let requestCounter = BigInt(Date.now()) << 12n;
export function nextRequestId(): string {
  requestCounter += 1n;
  return "v-" + requestCounter.toString(16).padStart(18, "0");
}
