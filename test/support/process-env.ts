// The environments tests start child processes with: nothing of the test's own but what a program needs to run, so
// no developer's settings (a .env exported in the shell, npm's variables) leak into what is tested.

/** PATH (to find node, npm, bash) and HOME (npm's cache), then `env`. */
export function childEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const { PATH, HOME } = process.env;
  return { PATH, HOME, ...env };
}

/** Settings that point a gateway at an upstream (the emulator) with its credentials. */
export function upstreamEnv(upstream: { url: string; appId: string; appToken: string }): Record<string, string> {
  return { VOUCHERIFY_API_URL: upstream.url, VOUCHERIFY_APP_ID: upstream.appId, VOUCHERIFY_APP_TOKEN: upstream.appToken };
}

/**
 * This machine's environment without npm's own variables, for commands run as a reader would in another folder:
 * `npm run` sets npm_config_local_prefix and friends, which would point an inner npm (npm ci, npx) at this tree.
 */
export function environmentWithoutNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== "INIT_CWD"));
}
