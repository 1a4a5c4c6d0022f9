// Finding codes of the config and live-Vault checks that the scenario tables elsewhere do not reach: each test
// stages the situation (a config, or what a Vault or the proxy in front of it answers) and asserts the code and
// its arguments, not the wording.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sealLayout from "../../checks/config/seal-layout.js";
import regionKey from "../../checks/awskms/region-key.js";
import { runChecks, type TargetResult } from "../../src/runner.js";
import { vaultTarget } from "../../src/vault/target.js";
import { configFromText, runCheck } from "../support/check-harness.js";
import { startVaultEmulator, type VaultEmulator } from "../emulator/vault/server.js";
import type { VaultStatusScenario } from "../emulator/vault/scenarios.js";

const AWS = `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`;
const SHAMIR = `storage "raft" {\n  path = "/vault/data"\n}\n`;
const named = (name: string, disabled = true) => AWS.replace("{", `{\n  name = "${name}"${disabled ? "\n  disabled = true" : ""}`);

describe("config.seal-layout", () => {
  it("four seal blocks on Enterprise: too-many-seals-ent, with the count", async () => {
    const config = configFromText(named("a", false) + named("b") + named("c") + named("d"));
    const result = await runCheck(sealLayout, config, { enterprise: true });
    const f = result.checks[0]!.findings.find((x) => x.code === "too-many-seals-ent")!;
    expect(f.status).toBe("fail");
    expect(f.args).toEqual({ count: 4 });
  });
});

function status(sealStatus: Record<string, unknown>, healthCode: number, healthBody: Record<string, unknown> = {}): VaultStatusScenario {
  return { name: "inline", description: "staged in this test", sealStatus: { t: 3, n: 5, progress: 0, version: "1.17.3", migration: false, ...sealStatus }, healthCode, healthBody };
}

describe("live Vault checks on answers the scenario files do not give", () => {
  let vault: VaultEmulator;
  beforeAll(async () => {
    vault = await startVaultEmulator("unsealed-awskms");
  });
  afterAll(async () => {
    await vault.close();
  });

  async function run(config: string): Promise<TargetResult> {
    const env = { VAULT_ADDR: vault.addr };
    const out = await runChecks({ config: configFromText(config), env, only: ["vault.*"], options: { timeoutMs: 10_000, callTimeoutMs: 2_000, enterprise: false, vault: vaultTarget({}, env) } });
    return out.targets.find((t) => t.id === "config")!;
  }
  const finding = (r: TargetResult, id: string) => r.checks.find((c) => c.id === id)!.findings[0]!;

  it("a Shamir Vault never initialized: not-initialized-shamir, with the address", async () => {
    vault.setScenario(status({ type: "shamir", initialized: false, sealed: true, t: 0, n: 0, recovery_seal: false }, 501));
    const f = finding(await run(SHAMIR), "vault.initialized");
    expect([f.status, f.code]).toEqual(["warn", "not-initialized-shamir"]);
    expect(f.args).toEqual({ addr: vault.addr, type: "shamir" });
  });

  it("an auto-unseal type reported with recovery_seal false: auto-without-recovery", async () => {
    vault.setScenario(status({ type: "awskms", initialized: true, sealed: false, recovery_seal: false }, 200));
    const f = finding(await run(AWS), "vault.recovery-seal");
    expect([f.status, f.code]).toEqual(["warn", "auto-without-recovery"]);
    expect(f.args).toMatchObject({ type: "awskms", t: 3, n: 5 });
  });

  it("a health code Vault never sends (a load balancer's 502): unknown-code, with the code", async () => {
    vault.setScenario(status({ type: "awskms", initialized: true, sealed: false, recovery_seal: true, recovery_seal_type: "shamir" }, 502));
    const f = finding(await run(AWS), "vault.health");
    expect([f.status, f.code]).toEqual(["warn", "unknown-code"]);
    expect(f.args).toEqual({ code: 502 });
  });
});

describe("awskms.region-key without a key", () => {
  it("a stanza with a region and no kms_key_id (nor AWS_KMS_KEY_ID): missing-key, nothing else checked", async () => {
    const config = configFromText('seal "awskms" {\n  region = "us-east-1"\n}\n');
    const result = await runCheck(regionKey, config, { env: { AWS_EC2_METADATA_DISABLED: "true" } });
    const findings = result.checks[0]!.findings;
    expect(findings.map((f) => `${f.status}:${f.code}`)).toEqual(["fail:missing-key"]);
    expect(findings[0]!.cause).toBe("seal_config_error");
    expect(findings[0]!.args).toBeUndefined();
  });
});
