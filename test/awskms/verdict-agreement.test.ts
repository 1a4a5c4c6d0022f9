// `check` and `gate` reach one verdict on what Vault needs: a check that could not look only because the doctor
// lacks a read permission Vault never uses stays `error` (fail closed) yet does not decide the exit code; and the
// clock-skew verdict depends on the target server's AWS SDK (src/targets/server-behaviour.ts).
import { describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/index.js";
import { runCli } from "../support/cli.js";
import { runAgainst, check, scenarioEnv } from "../support/emulated-run.js";

/** `gate` once (no --wait): its exit code. */
async function gateExit(scenario: string, args: string[] = []): Promise<number | null> {
  const emu = await startEmulator(scenario);
  try {
    return (await runCli(["gate", ...CONFIG, ...args], { env: scenarioEnv(emu, {}) })).code;
  } finally {
    await emu.close();
  }
}

const CONFIG = ["-c", "fixtures/configs/awskms.hcl"];

describe("check and gate agree", () => {
  it("no-simulate-permission: Vault unseals, so both exit 0; the doctor's missing permissions are named, not hidden", async () => {
    const checked = await runAgainst("no-simulate-permission", CONFIG);
    expect(checked.code).toBe(0);
    expect(await gateExit("no-simulate-permission")).toBe(0);
    expect(checked.report.verdict).toBe("warnings");
    const own = (id: string) => check(checked.report, id).findings.filter((f) => f.status === "error").map((f) => f.doctorPermission);
    expect(own("awskms.iam-simulation")).toEqual(["iam:SimulatePrincipalPolicy"]);
    expect(own("awskms.rotation")).toEqual(["kms:GetKeyRotationStatus"]);
    expect(own("awskms.deletion-protection")).toEqual(["kms:GetKeyPolicy"]);
    expect(check(checked.report, "awskms.round-trip").status).toBe("pass");
  });

  it("--fail-on warn still counts the checks the doctor could not make", async () => {
    const run = await runAgainst("no-simulate-permission", [...CONFIG, "--fail-on", "warn"]);
    expect(run.code).toBe(1);
  });

  it.each([
    ["vault", 0],
    ["openbao", 1],
  ] as const)("clock-skew for target %s: check and gate both exit %i", async (target, exit) => {
    const checked = await runAgainst("clock-skew", [...CONFIG, "--target", target]);
    expect(checked.code).toBe(exit);
    expect(checked.report.target).toMatchObject({ server: target, why: `--target ${target}` });
    expect(await gateExit("clock-skew", ["--target", target])).toBe(exit);
  });
});
