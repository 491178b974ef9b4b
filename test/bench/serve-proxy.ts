import type { AddressInfo } from "node:net";
import { reportToParent } from "./child-reporter.js";
import { createPassThroughProxy } from "./pass-through-proxy.js";

/** Bench child: the pass-through proxy in front of UPSTREAM_URL. */
const upstreamUrl = process.env.UPSTREAM_URL;
if (!upstreamUrl) throw new Error("UPSTREAM_URL is required");
const { server, pool } = createPassThroughProxy(upstreamUrl);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;
reportToParent(`http://127.0.0.1:${port}`, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.close();
});
