// Seal-migration preflight pieces on the fixture configs: the direction and steps for each, the layout
// problems Vault would hit, and the old seal's decrypt-only check against the AWS emulator.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadVaultConfig } from "../../src/config/load.js";
import { migrationPlan, detectDirection } from "../../src/vault/migration-plan.js";
import { runChecks } from "../../src/runner.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import migrationLayout from "../../checks/migrate/layout.js";
import { runCheck } from "../support/check-harness.js";
import { ROOT } from "../support/cli.js";
import { twoKeyScenario } from "./two-key-scenario.js";

const fixture = (name: string, env: NodeJS.ProcessEnv = {}) => loadVaultConfig([join(ROOT, "fixtures/configs/migrations", name, "vault.hcl")], { env });

describe("migration direction and steps", () => {
  it.each([
    ["shamir-to-awskms", { from: "shamir" }, "shamir-to-auto", "shamir", "awskms", "the current Shamir unseal keys", true],
    ["shamir-to-awskms", { liveType: "shamir" }, "shamir-to-auto", "shamir", "awskms", "the current Shamir unseal keys", true],
    ["awskms-to-awskms", {}, "auto-to-auto", "awskms", "awskms", "the recovery keys", true],
    ["awskms-to-gcpckms", {}, "auto-to-auto", "awskms", "gcpckms", "the recovery keys", true],
    ["awskms-to-shamir", {}, "auto-to-shamir", "awskms", "shamir", "the recovery keys", false],
  ] as const)("%s %j -> %s", (name, input, direction, from, to, enter, ha) => {
    const plan = migrationPlan(fixture(name), input);
    expect(plan).toMatchObject({ direction, from, to, ha, keys: { enter } });
    const text = plan.steps.map((s) => [s.text, ...s.commands].join("\n")).join("\n");
    expect(text).toContain("vault operator unseal -migrate");
    expect(text).toContain("VAULT_SEAL_TYPE is not set");
    if (ha) expect(text).toMatch(/On each standby node[\s\S]*stop the active node[\s\S]*old active node/);
    else expect(text).not.toContain("standby");
    expect(plan.rollback).toHaveLength(3);
    expect(plan.rollback[0]!.text).toContain("Before any migrated node became active");
  });

  it("what the keys become afterwards, per direction", () => {
    expect(migrationPlan(fixture("shamir-to-awskms"), { from: "shamir" }).keys.after).toContain("become recovery keys");
    expect(migrationPlan(fixture("awskms-to-awskms"), {}).keys.after).toContain("recovery keys stay the same");
    expect(migrationPlan(fixture("awskms-to-shamir"), {}).keys.after).toContain("become the Shamir unseal keys");
    expect(migrationPlan(fixture("awskms-to-shamir"), {}).rollback[1]!.text).toContain('add the seal "awskms" block again');
  });

  it.each([
    ["shamir-to-awskms", {}, /pass --from shamir/],
    ["shamir-to-awskms", { from: "gcpckms" }, /keep its block with disabled = "true"/],
    ["awskms-to-awskms", { from: "gcpckms" }, /--from gcpckms, but the config's disabled \(old\) seal is awskms/],
  ] as const)("%s %j is a usage error", (name, input, message) => {
    expect(() => detectDirection(fixture(name), input)).toThrow(message);
  });
});

describe("migrate.layout", () => {
  it.each([
    ["awskms-to-awskms", {}, ["pass:layout"]],
    ["awskms-to-shamir", {}, ["pass:layout"]],
    ["shamir-to-awskms", {}, ["skip:not-migration"]],
    ["awskms-same-key", {}, ["fail:same-key"]],
    ["awskms-to-gcpckms", { VAULT_SEAL_TYPE: "awskms" }, ["fail:seal-type-exported"]],
    ["awskms-to-gcpckms", { VAULT_SEAL_TYPE: "gcpckms" }, ["pass:layout", "warn:seal-type-exported-same"]],
  ] as const)("%s with %j", async (name, env, expected) => {
    const result = await runCheck(migrationLayout, fixture(name, env), { env });
    expect(result.checks[0]!.findings.map((f) => `${f.status}:${f.code}`)).toEqual(expected);
  });

  it("says the migration goes to the wrong type", async () => {
    const env = { VAULT_SEAL_TYPE: "awskms" };
    const result = await runCheck(migrationLayout, fixture("awskms-to-gcpckms", env), { env });
    expect(result.checks[0]!.findings[0]).toMatchObject({ code: "seal-type-exported", args: { value: "awskms", from: "awskms", declared: "gcpckms" } });
  });
});

describe("migrate.old-seal-decrypt", () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  async function oldSealCodes(oldKeyEncrypt: boolean): Promise<Record<string, string[]>> {
    emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt }));
    const env = { ...emu.env, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
    const config = fixture("awskms-to-awskms", env);
    const run = await runChecks({ config, env, only: ["awskms.region-key", "awskms.credentials", "awskms.key-state", "migrate.old-seal-decrypt"], options: { timeoutMs: 10_000, callTimeoutMs: 2_000, enterprise: false, migration: true } });
    const out: Record<string, string[]> = {};
    for (const t of run.targets) {
      if (t.kind !== "seal") continue;
      for (const c of t.checks) out[`${t.id}/${c.id}`] = c.findings.map((f) => `${f.status}:${f.code}`);
    }
    return out;
  }

  it("old key that still encrypts and decrypts: proven", async () => {
    const codes = await oldSealCodes(true);
    expect(codes["awskms-disabled/migrate.old-seal-decrypt"]).toEqual(["pass:decrypt-ok"]);
    // `oldSeal: "only"`: the new seal is not asked to decrypt the old seal's blob at all.
    expect(codes["awskms/migrate.old-seal-decrypt"]).toBeUndefined();
  });

  it("decrypt-only policy on the old key: Encrypt denied is a warning, not a failure", async () => {
    const codes = await oldSealCodes(false);
    expect(codes["awskms-disabled/awskms.key-state"]).toEqual(["pass:enabled"]);
    expect(codes["awskms-disabled/migrate.old-seal-decrypt"]).toEqual(["warn:decrypt-unproven"]);
  });
});
