import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../support/child-process.js";
import { findOsBinary } from "../support/os-binary.js";

// The alert rules operators load (deploy/prometheus), checked and unit-tested by Prometheus's own promtool.
const promtool = findOsBinary("promtool", { debianPackage: "prometheus" });

const DIR = "deploy/prometheus";
const RULES = "referrals-gateway.rules.yml";
const TESTS = "referrals-gateway.rules.test.yml";
/** promtool's exit code and output (it exits 1 when a check or a unit test fails). */
async function promtoolIn(cwd: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const { status, stdout, stderr } = await runCommand(promtool.path!, args, { cwd });
  return { code: status ?? -1, output: stdout + stderr };
}

const alertNames = (rules: string) => [...rules.matchAll(/^\s+- alert: (\S+)$/gm)].map((match) => match[1]);

promtool.describe("alert rules (promtool)", () => {
  const rules = readFileSync(join(DIR, RULES), "utf8");

  test("promtool check rules: valid, one rule per alert the issue asks for", async () => {
    const { code, output } = await promtoolIn(DIR, "check", "rules", RULES);
    expect(output).toContain(`SUCCESS: ${alertNames(rules).length} rules found`);
    expect(code).toBe(0);
    expect(alertNames(rules)).toEqual([
      "ReferralsGatewayErrorRatioHigh",
      "ReferralsGatewayUpstream429",
      "ReferralsGatewayQuotaNearlyExhausted",
      "ReferralsGatewayRedisDegraded",
      "ReferralsGatewayAuthKeysFailing",
      "ReferralsGatewayAppDeploymentsStale",
      "ReferralsGatewayAppDocumentsUnservable",
      "ReferralsGatewayLatencyP99High",
      "ReferralsGatewayNotReady",
      "ReferralsGatewayDown",
    ]);
  });

  test("every alert has a severity label and summary/description annotations", () => {
    const blocks = rules.split(/^\s+- alert: /m).slice(1);
    expect(blocks).toHaveLength(alertNames(rules).length);
    for (const block of blocks) {
      expect(block).toMatch(/^\s+severity: (critical|warning)$/m);
      expect(block).toMatch(/^\s+summary: /m);
      expect(block).toMatch(/^\s+description: /m);
    }
  });

  test("promtool test rules: every alert has a case where it fires and one where it stays silent", async () => {
    const tests = readFileSync(join(DIR, TESTS), "utf8");
    for (const name of alertNames(rules)) {
      const cases = [...tests.matchAll(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:( \\[\\])?`, "g"))];
      expect({ name, silent: cases.some((c) => c[1] !== undefined), fires: cases.some((c) => c[1] === undefined) }).toEqual({
        name,
        silent: true,
        fires: true,
      });
    }
    const { code, output } = await promtoolIn(DIR, "test", "rules", TESTS);
    expect(output).toContain("SUCCESS");
    expect(code).toBe(0);
  });

  test("the unit tests bite: a rule with a loosened threshold fails them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gateway-rules-"));
    try {
      copyFileSync(join(DIR, TESTS), join(dir, TESTS));
      writeFileSync(join(dir, RULES), rules.replace("> 0.05", "> 0.5"));
      const { code, output } = await promtoolIn(dir, "test", "rules", TESTS);
      expect(output).toContain("alertname: ReferralsGatewayErrorRatioHigh");
      expect(code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
