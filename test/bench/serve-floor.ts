import { serveToParent } from "./child-reporter.js";
import { createFloor } from "./floor.js";

/** Bench child: the hand-written floor (floor.ts) in front of UPSTREAM_URL. */
const upstreamUrl = process.env.UPSTREAM_URL;
const appId = process.env.UPSTREAM_APP_ID;
const appToken = process.env.UPSTREAM_APP_TOKEN;
if (!upstreamUrl || !appId || !appToken) throw new Error("UPSTREAM_URL, UPSTREAM_APP_ID and UPSTREAM_APP_TOKEN are required");
const { server, pool } = createFloor(upstreamUrl, { appId, appToken });
await serveToParent(server, () => pool.close());
