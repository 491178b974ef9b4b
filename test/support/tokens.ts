import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

/** The HS256 secret the auth suites run the gateway with (config requires 32+ characters). */
export const TEST_JWT_SECRET = "test-secret-for-the-auth-suites-0123456789";
export const ALL_SCOPES = "referrals:read referrals:write customers:read";

type Key = CryptoKey | Uint8Array;

/** Signs a real JWT as an identity provider would: `sub` and a one-hour `exp` unless the claims say otherwise. */
export async function signToken(
  claims: JWTPayload & Record<string, unknown> = {},
  options: { key?: Key; alg?: string; kid?: string; expiresIn?: string | number; notBefore?: string | number } = {},
): Promise<string> {
  const { sub = "alice", ...rest } = claims;
  const jwt = new SignJWT(rest).setProtectedHeader({
    alg: options.alg ?? "HS256",
    typ: "JWT",
    ...(options.kid ? { kid: options.kid } : {}),
  });
  jwt.setSubject(sub).setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  else if (claims.exp === undefined) jwt.setExpirationTime("1h");
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(options.key ?? new TextEncoder().encode(TEST_JWT_SECRET));
}

/** `alg: none`: an unsigned token, the oldest trick against JWT verifiers. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "mallory", exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.`;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function rsaSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

/** A real JWKS endpoint on a loopback port; `keys` can be replaced to rotate, `fetches` counts GETs. */
export interface JwksServer {
  url: string;
  keys: SigningKey[];
  fetches: number;
  /** The key server goes down: its port refuses connections (until up()). */
  down(): Promise<void>;
  /** It comes (back) up on the same port. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** `down: true`: the server's port is chosen, then closed, so the gateway meets a key server that is down at start. */
export async function startJwksServer(keys: SigningKey[], options: { down?: boolean } = {}): Promise<JwksServer> {
  const state = { keys, fetches: 0 };
  const server: Server = createServer((_request, response) => {
    state.fetches += 1;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: state.keys.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const down = () => {
    if (!server.listening) return Promise.resolve();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return closed;
  };
  const up = () => (server.listening ? Promise.resolve() : new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)));
  if (options.down) await down();
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get keys() {
      return state.keys;
    },
    set keys(next: SigningKey[]) {
      state.keys = next;
    },
    get fetches() {
      return state.fetches;
    },
    down,
    up,
    stop: down,
  };
}
