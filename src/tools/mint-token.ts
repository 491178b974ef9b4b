/**
 * `npm run token -- [--sub alice] [--scope "referrals:read customers:read"] [--members WELCOME-REF,OTHER-REF]
 * [--ttl 3600]`: prints an HS256 JWT signed with AUTH_JWT_SECRET (plus AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE when
 * set), for trying the gateway in development. Production tokens come from your identity provider.
 */
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { Scope } from "../auth/scopes.js";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "developer" },
    scope: { type: "string", default: Object.values(Scope).join(" ") },
    members: { type: "string" },
    ttl: { type: "string", default: "3600" },
  },
});
const secret = process.env.AUTH_JWT_SECRET;
if (!secret) {
  console.error("Set AUTH_JWT_SECRET (the same value the gateway runs with) to mint a development token.");
  process.exit(2);
}
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  console.error(`--ttl must be a whole number of seconds; got "${values.ttl}"`);
  process.exit(2);
}
const jwt = new SignJWT({
  scope: values.scope,
  ...(values.members
    ? {
        referral_members: values.members
          .split(",")
          .map((m) => m.trim())
          .filter(Boolean),
      }
    : {}),
})
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setSubject(values.sub)
  .setIssuedAt()
  .setExpirationTime(`${ttlSeconds}s`);
if (process.env.AUTH_JWT_ISSUER) jwt.setIssuer(process.env.AUTH_JWT_ISSUER);
if (process.env.AUTH_JWT_AUDIENCE) jwt.setAudience(process.env.AUTH_JWT_AUDIENCE);
console.log(await jwt.sign(new TextEncoder().encode(secret)));
