import type { AddressInfo } from "node:net";
import { reportToParent } from "./child-reporter.js";
import { createFloor } from "./floor.js";

/** Bench child: the hand-written floor (floor.ts) in front of UPSTREAM_URL. */
const upstreamUrl = process.env.UPSTREAM_URL;
const appId = process.env.UPSTREAM_APP_ID;
const appToken = process.env.UPSTREAM_APP_TOKEN;
if (!upstreamUrl || !appId || !appToken) throw new Error("UPSTREAM_URL, UPSTREAM_APP_ID and UPSTREAM_APP_TOKEN are required");
const { server, pool } = createFloor(upstreamUrl, { appId, appToken });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
reportToParent(`http://127.0.0.1:${port}`, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.close();
});
