import type { IncomingMessage } from "node:http";
import type { GraphQLError } from "graphql";
import { badRequest, bodyTooLarge, tooManyBodies } from "../errors/graphql-errors.js";
import { MAX_REQUEST_BODY_BYTES } from "../limits/operation-limits.js";
import type { BodyBudget } from "./body-budget.js";
import { BodyAbortedError, BodyBudgetExhaustedError, BodyTooLargeError, readBody } from "./read-body.js";

/** What the body budget needs to know of a caller: whose share a body counts against. */
export interface BodyOwner {
  readonly budgetKey: string;
}

/** A GraphQL POST's body, or why there is none to run. */
export type GraphQLBody =
  /** Parsed when the Content-Type says JSON (undefined when empty), the text as sent otherwise. */
  | { kind: "read"; body: unknown }
  /** The caller was refused from its headers: nothing of the body was read. */
  | { kind: "caller refused"; refusal: Error }
  /** The body itself is refused (too large, no room in the budget, not JSON): a refusal of the request. */
  | { kind: "refused"; error: GraphQLError }
  /** Nobody is left to answer (the client left, or the request timeout answered 408 and closed). */
  | { kind: "aborted" };

/**
 * Reads a GraphQL POST's body. Who is calling is settled before a byte of it is read (`caller` rejects with the
 * refusal): an unauthenticated client never holds body memory, and an authenticated one's body counts against its
 * own share of the body budget (body-budget.ts).
 */
export async function readGraphQLBody(
  request: IncomingMessage,
  caller: () => Promise<BodyOwner>,
  budget: BodyBudget | undefined,
): Promise<GraphQLBody> {
  let owner: string;
  try {
    owner = (await caller()).budgetKey;
  } catch (refusal) {
    return { kind: "caller refused", refusal: refusal instanceof Error ? refusal : new Error(String(refusal)) };
  }
  let text: string;
  try {
    text = await readBody(request, { budget, caller: owner });
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { kind: "refused", error: bodyTooLarge(MAX_REQUEST_BODY_BYTES) };
    // Too many bodies in transit at once: refused without keeping the rest of this one.
    if (error instanceof BodyBudgetExhaustedError) return { kind: "refused", error: tooManyBodies() };
    if (error instanceof BodyAbortedError) return { kind: "aborted" };
    throw error;
  }
  if (!(request.headers["content-type"] ?? "").includes("json")) return { kind: "read", body: text };
  try {
    return { kind: "read", body: text.length === 0 ? undefined : JSON.parse(text) };
  } catch {
    return { kind: "refused", error: badRequest("Request body is not valid JSON.") };
  }
}
