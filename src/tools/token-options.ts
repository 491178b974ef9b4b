/**
 * `npm run token`'s command line and environment -> what to sign, or what to print instead. Kept apart from the
 * signing so the usage, the defaults and every refusal are tested without a process.
 */
import { parseArgs } from "node:util";
import { Scope } from "../auth/scopes.js";
import { DEVELOPMENT_JWT_SECRET, MIN_JWT_SECRET_LENGTH } from "../config.js";
import { messageOf } from "../lib/thrown.js";

export const DEFAULT_SUBJECT = "developer";
export const DEFAULT_SCOPE = Object.values(Scope).join(" ");
export const DEFAULT_TTL_SECONDS = 3600;

export const TOKEN_USAGE = `Usage: npm run -s token -- [options]

Prints a development JWT (HS256) the gateway accepts when it runs with the same AUTH_JWT_SECRET.

Options:
  --sub <id>          the caller (the token's sub; budgets are kept per sub)   [default: ${DEFAULT_SUBJECT}]
  --scope "<a b>"     space-separated scopes                                   [default: "${DEFAULT_SCOPE}"]
  --members <a,b>     referral codes the caller may use (referral_members)    [default: all]
  --ttl <seconds>     lifetime                                                 [default: ${DEFAULT_TTL_SECONDS}]
  -h, --help          this text

Environment:
  AUTH_JWT_SECRET     the signing secret, ${MIN_JWT_SECRET_LENGTH}+ characters   [default: ${DEVELOPMENT_JWT_SECRET}]
  AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE   set as iss and aud when set
`;

export interface TokenRequest {
  secret: string;
  /** True when AUTH_JWT_SECRET was unset and the development secret signs. */
  defaultSecret: boolean;
  subject: string;
  scope: string;
  members: string[] | null;
  ttlSeconds: number;
  issuer: string | null;
  audience: string | null;
}

export type TokenCommand = { kind: "sign"; request: TokenRequest } | { kind: "help" } | { kind: "refused"; problem: string };

export function parseTokenCommand(args: string[], env: Record<string, string | undefined>): TokenCommand {
  let values: { sub?: string; scope?: string; members?: string; ttl?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        sub: { type: "string" },
        scope: { type: "string" },
        members: { type: "string" },
        ttl: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // parseArgs' own message ("Unknown option '--x'. To specify a positional argument ...") names the option.
    // Under some runners the message starts with "TypeError [ERR_PARSE_ARGS_...]: ": that part is for developers.
    const message = messageOf(error)
      .replace(/^\w*Error \[\w+\]: /, "")
      .split(". ")[0];
    return { kind: "refused", problem: `${message}; see npm run token -- --help` };
  }
  if (values.help) return { kind: "help" };
  const ttlText = values.ttl ?? String(DEFAULT_TTL_SECONDS);
  const ttlSeconds = Number(ttlText);
  if (!/^\d+$/.test(ttlText) || ttlSeconds <= 0)
    return { kind: "refused", problem: `--ttl must be a whole number of seconds; got "${ttlText}"` };
  const given = env.AUTH_JWT_SECRET || null;
  if (given !== null && given.length < MIN_JWT_SECRET_LENGTH) {
    return {
      kind: "refused",
      problem: `AUTH_JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters (the gateway refuses a shorter one)`,
    };
  }
  const members = values.members
    ?.split(",")
    .map((member) => member.trim())
    .filter(Boolean);
  return {
    kind: "sign",
    request: {
      secret: given ?? DEVELOPMENT_JWT_SECRET,
      defaultSecret: given === null,
      subject: values.sub ?? DEFAULT_SUBJECT,
      scope: values.scope ?? DEFAULT_SCOPE,
      members: members ?? null,
      ttlSeconds,
      issuer: env.AUTH_JWT_ISSUER || null,
      audience: env.AUTH_JWT_AUDIENCE || null,
    },
  };
}
