// Alert rules: promtool validates the rule file and runs the unit tests in alerts.promtool.yaml;
// every alert must have a test in which it fires.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { plainRuleGroups } from "../../../src/metrics/dashboard/alerts.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../../..");
const RULES = join(ROOT, "deploy/prometheus/neoengine-operator.rules.yaml");
const TESTS = join(import.meta.dirname, "alerts.promtool.yaml");

// promtool comes from Debian's `prometheus` package (see .ci/run); a missing binary fails here.
async function promtool(args: string[]) {
  try {
    return await run("promtool", args, { cwd: ROOT });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") throw new Error("promtool not found: apt-get install -y --no-install-recommends prometheus");
    throw new Error(`promtool ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

describe("alerting rules", () => {
  it("the rule file is valid for promtool", async () => {
    const { stdout } = await promtool(["check", "rules", RULES]);
    expect(stdout).toContain(`SUCCESS: ${plainRuleGroups().groups[0]!.rules.length} rules found`);
  });

  it("promtool unit tests pass", async () => {
    const { stdout } = await promtool(["test", "rules", TESTS]);
    expect(stdout).toContain("SUCCESS");
  });

  it("every alert has a promtool test where it fires", () => {
    const tests = parse(readFileSync(TESTS, "utf8")) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const firing = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const quiet = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname)));
    for (const rule of plainRuleGroups().groups[0]!.rules) {
      expect(firing.has(rule.alert), `${rule.alert} fires in a test`).toBe(true);
      expect(quiet.has(rule.alert), `${rule.alert} stays quiet in a test`).toBe(true);
    }
  });

  it("covers the alerts issue 6 asks for", () => {
    const names = plainRuleGroups().groups[0]!.rules.map((r) => r.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        "NeoEngineOperatorDown",
        "NeoEngineReconcileErrors",
        "NeoEngineApiRateLimited",
        "NeoEngineApiErrors",
        "NeoEngineRateBudgetNearlyExhausted",
        "NeoEngineWalletBalanceLow",
        "NeoEngineProviderNodeOffline",
        "NeoEngineNeoJobsStuckPending",
      ]),
    );
  });
});
