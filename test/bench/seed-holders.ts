import { MEMBER_ID } from "./lanes.js";

const BATCH = 100; // the upstream's maximum per call

/** Adds `count` referees to WELCOME-REF through the emulator's REST API (as a client would), 100 per call. */
export async function addBenchHolders(emulatorUrl: string, credentials: { appId: string; appToken: string }, count: number): Promise<void> {
  for (let start = 0; start < count; start += BATCH) {
    const holders = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => {
      const n = String(start + i + 1).padStart(4, "0");
      return { source_id: `bench-referee-${n}`, name: `Bench Referee ${n}`, email: `bench-referee-${n}@example.com` };
    });
    const response = await fetch(`${emulatorUrl}/v1/referrals/members/${MEMBER_ID}/holders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-app-id": credentials.appId, "x-app-token": credentials.appToken },
      body: JSON.stringify({ holders }),
    });
    if (response.status !== 200) throw new Error(`adding bench holders answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
}
