import { serveToParent } from "./child-reporter.js";
import { createPassThroughProxy } from "./pass-through-proxy.js";

/** Bench child: the pass-through proxy in front of UPSTREAM_URL. */
const upstreamUrl = process.env.UPSTREAM_URL;
if (!upstreamUrl) throw new Error("UPSTREAM_URL is required");
const { server, pool } = createPassThroughProxy(upstreamUrl);
await serveToParent(server, () => pool.close());
