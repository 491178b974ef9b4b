import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findOsBinary } from "../support/os-binary.js";

// The unit operators copy (deploy/systemd/) is checked by systemd's own parser, and the docs show that very file.
const UNIT = "deploy/systemd/referrals-gateway.service";
const unit = readFileSync(UNIT, "utf8");
const systemdAnalyze = findOsBinary("systemd-analyze", { debianPackage: "systemd" });

test("the systemd unit in docs/operators/installing.md is the shipped file, byte for byte", () => {
  const page = readFileSync("docs/operators/installing.md", "utf8");
  expect(page).toContain("```ini\n" + unit + "```\n");
});

test("the unit gives the drain its time and does not restart a refused configuration", () => {
  const setting = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(unit)?.[1];
  // main.ts: SIGTERM drains for at most 10 s (src/server.ts), exit 2 is a configuration error (src/config.ts).
  expect(setting("KillSignal")).toBe("SIGTERM");
  expect(Number(setting("TimeoutStopSec"))).toBeGreaterThan(10);
  expect(setting("RestartPreventExitStatus")).toBe("2");
  expect(setting("ExecStart")).toMatch(/^\/\S+\/node \S+\/dist\/src\/main\.js$/);
});

systemdAnalyze.describe("systemd-analyze verify", () => {
  test("accepts the unit with no warning", () => {
    const dir = mkdtempSync(join(tmpdir(), "systemd-unit-"));
    try {
      // verify checks that ExecStart's program exists: point it at the node running this test, wherever it lives.
      const file = join(dir, "referrals-gateway.service");
      writeFileSync(file, unit.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const result = spawnSync(systemdAnalyze.path!, ["verify", file], { encoding: "utf8" });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
