/**
 * `npm run -s token -- [--sub alice] [--scope "referrals:read customers:read"] [--members WELCOME-REF,OTHER-REF]
 * [--ttl 3600]`: prints an HS256 JWT for trying the gateway in development (`--help` for the defaults). Production
 * tokens come from your identity provider.
 */
import { SignJWT } from "jose";
import { parseTokenCommand, TOKEN_USAGE, type TokenRequest } from "./token-options.js";

async function signToken(request: TokenRequest): Promise<string> {
  const jwt = new SignJWT({ scope: request.scope, ...(request.members ? { referral_members: request.members } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(request.subject)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds}s`);
  if (request.issuer) jwt.setIssuer(request.issuer);
  if (request.audience) jwt.setAudience(request.audience);
  return jwt.sign(new TextEncoder().encode(request.secret));
}

const command = parseTokenCommand(process.argv.slice(2), process.env);
switch (command.kind) {
  case "help":
    process.stdout.write(TOKEN_USAGE);
    break;
  case "refused":
    console.error(command.problem);
    process.exit(2);
    break;
  case "sign":
    // stderr, so `TOKEN=$(npm run -s token)` still captures the token alone.
    if (command.request.defaultSecret) console.error("AUTH_JWT_SECRET is unset: signed with the development secret (see --help).");
    console.log(await signToken(command.request));
}
