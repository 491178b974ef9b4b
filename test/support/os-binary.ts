// Imported, not global: test/support is also compiled by tsconfig.build.json, which has no jest types.
import { describe, test } from "@jest/globals";
import { onPath } from "./on-path.js";

export type SuiteDescribe = (title: string, body: () => void) => void;

export interface OsBinary {
  /** Absolute path of the binary, or null when it is not on PATH. */
  path: string | null;
  /** `describe` when the binary is there; otherwise `describe.skip` (with a notice), or a failing suite under CI. */
  describe: SuiteDescribe;
}

/**
 * For suites that need a program from the OS (chromium, redis-server): they run whenever it is on PATH. Without
 * it a developer's run skips them with a notice naming the Debian package; CI (CI=true) installs what it needs, so
 * there a missing binary fails the suite instead of passing silently.
 */
export function findOsBinary(name: string, options: { debianPackage: string }): OsBinary {
  const path = onPath(name);
  if (path) return { path, describe };
  const install = `apt-get install -y ${options.debianPackage}`;
  if (process.env.CI === "true") {
    return {
      path: null,
      describe: (title) =>
        describe(title, () => {
          test(`${name} is on PATH`, () => {
            throw new Error(`${name} is not on PATH, and CI must run this suite: install it (${install}) in .ci/run`);
          });
        }),
    };
  }
  process.stderr.write(`\nSkipping suites that need ${name}: it is not on PATH. Install it with \`${install}\`.\n`);
  return { path: null, describe: describe.skip };
}
