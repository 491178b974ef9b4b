/** What the body budget needs to know of a caller: whose share a body counts against. */
export interface BodyOwner {
  readonly budgetKey: string;
}

export type BodyAdmission = { owner: string; refusal?: undefined } | { owner?: undefined; refusal: Error };

/**
 * Settles who is calling before a byte of the body is read: an unauthenticated client never holds body memory, and an
 * authenticated one's body counts against its own share of the body budget (body-budget.ts).
 */
export async function admitBody(caller: () => Promise<BodyOwner>): Promise<BodyAdmission> {
  try {
    return { owner: (await caller()).budgetKey };
  } catch (refusal) {
    return { refusal: refusal instanceof Error ? refusal : new Error(String(refusal)) };
  }
}
