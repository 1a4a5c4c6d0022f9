// Read-only by construction, witnessed by the emulator's audit log: across every scenario, every call the tool
// makes is a read (Describe/Get/List/Simulate/Test, GetCallerIdentity), a credential exchange, or the probe's
// Encrypt/Decrypt. Anything else — CreateKey, EnableKeyRotation, PutKeyPolicy, SetIamPolicy — fails the test.
import { describe, expect, it } from "vitest";
import { listScenarios } from "../emulator/scenarios.js";
import { runAgainst } from "../support/emulated-run.js";

const ALLOWED = /^(Describe|Get|List|Simulate|Test)\w*$|^(Encrypt|Decrypt|GenerateDataKey|AssumeRoleWithWebIdentity|AssumeRole|GetToken|GetMetadata|GetCredentials|token|metadata)$/;

const scenarios = listScenarios().map((s) => s.name);

describe("read-only across all scenarios", () => {
  it("covers both clouds", () => {
    expect(scenarios.some((s) => s.startsWith("gcp-"))).toBe(true);
    expect(scenarios.length).toBeGreaterThan(30);
  });

  it.each(scenarios)("%s", async (scenario) => {
    const config = scenario.startsWith("gcp-") ? "fixtures/configs/gcpckms.hcl" : "fixtures/configs/awskms-kms-context.hcl";
    const run = await runAgainst(scenario, ["-c", config, "--call-timeout", "1s", "--timeout", "8s"]);
    expect(run.code === 0 || run.code === 1).toBe(true);
    const calls = run.emu.audit();
    expect(calls.length).toBeGreaterThan(0);
    // Metadata servers only serve GETs (their audit names the path read).
    const writes = calls.filter((c) => c.service !== "gcp-metadata" && !ALLOWED.test(c.operation)).map((c) => `${c.service}:${c.operation}`);
    expect(writes).toEqual([]);
  });
});
