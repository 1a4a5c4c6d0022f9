// The live-Vault checks against the fake Vault (test/emulator/vault), through the real runner and a real
// HTTP(S) client: scenario -> the findings an operator sees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TargetResult } from "../../src/runner.js";
import { runChecks } from "../../src/runner.js";
import { vaultTarget } from "../../src/vault/target.js";
import type { VaultConfig } from "../../src/config/seal-config.js";
import { configFromText } from "../support/check-harness.js";
import { startVaultEmulator, type VaultEmulator } from "../emulator/vault/server.js";
import status from "../../checks/vault/status.js";
import sealType from "../../checks/vault/seal-type.js";
import initialized from "../../checks/vault/initialized.js";
import sealed from "../../checks/vault/sealed.js";
import recoverySeal from "../../checks/vault/recovery-seal.js";
import migration from "../../checks/vault/migration.js";
import health from "../../checks/vault/health.js";

const VAULT_CHECKS = [status, sealType, initialized, sealed, recoverySeal, migration, health];

const AWSKMS = `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`;
const SHAMIR = `storage "raft" {\n  path = "/vault/data"\n}\n`;
const AWS_TO_GCP = `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n  disabled = "true"\n}\nseal "gcpckms" {\n  project = "p"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n}\n`;
const TWO_ENABLED = `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/a"\n  priority = "1"\n}\nseal "gcpckms" {\n  project = "p"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n  priority = "2"\n}\n`;

/** The vault.* checks as a run selects them: `flags` are the command line's --vault-addr / --ca-cert / --tls-skip-verify. */
async function runVaultChecks(config: VaultConfig, env: NodeJS.ProcessEnv, callTimeoutMs = 2_000, flags: Record<string, unknown> = {}): Promise<TargetResult> {
  const vault = vaultTarget(flags, env);
  const run = await runChecks({ config, env, only: ["vault.*"], options: { timeoutMs: 10_000, callTimeoutMs, enterprise: false, vault } });
  return run.targets.find((t) => t.id === "config") ?? { id: "config", kind: "config", label: "Configuration", status: "skip", checks: [] };
}

/** `check-id: status:code,...` for every check, the shape the tables below read. */
function codes(result: TargetResult): Record<string, string> {
  return Object.fromEntries(result.checks.map((c) => [c.id, c.findings.map((f) => `${f.status}:${f.code}`).join(",")]));
}

describe("live Vault status checks", () => {
  let vault: VaultEmulator;
  beforeAll(async () => {
    vault = await startVaultEmulator("unsealed-awskms");
  });
  afterAll(async () => {
    await vault.close();
  });

  it("without --vault-addr or VAULT_ADDR no vault.* check runs (their `when: \"vault-addr\"` rule)", async () => {
    const result = await runVaultChecks(configFromText(AWSKMS), {});
    expect(codes(result)).toEqual({});
    expect(VAULT_CHECKS.every((c) => c.when === "vault-addr")).toBe(true);
  });

  it.each([
    ["unsealed-awskms", AWSKMS, {
      "vault.status": "pass:reachable", "vault.seal-type": "pass:matches", "vault.initialized": "pass:initialized", "vault.sealed": "pass:unsealed",
      "vault.recovery-seal": "pass:recovery-keys", "vault.migration": "pass:none", "vault.health": "pass:code",
    }],
    ["sealed-awskms", AWSKMS, {
      "vault.seal-type": "pass:matches", "vault.sealed": "fail:sealed-auto", "vault.recovery-seal": "pass:recovery-keys", "vault.health": "fail:code",
    }],
    ["sealed-awskms-keys-entered", AWSKMS, { "vault.sealed": "fail:sealed-auto,fail:recovery-keys-entered" }],
    ["uninitialized-awskms", AWSKMS, {
      "vault.initialized": "warn:not-initialized-auto", "vault.sealed": "skip:not-initialized", "vault.recovery-seal": "skip:not-initialized", "vault.health": "warn:code",
    }],
    ["sealed-shamir", SHAMIR, { "vault.seal-type": "pass:matches", "vault.sealed": "warn:sealed-shamir", "vault.recovery-seal": "pass:unseal-keys", "vault.health": "warn:code" }],
    ["migration-shamir-to-awskms", AWSKMS, {
      "vault.seal-type": "warn:migration-pending", "vault.sealed": "warn:sealed-migration", "vault.migration": "warn:in-progress", "vault.health": "warn:code",
    }],
    ["migration-awskms-to-gcpckms", AWS_TO_GCP, { "vault.seal-type": "warn:migration-pending", "vault.sealed": "warn:sealed-migration", "vault.migration": "warn:in-progress" }],
    ["migrated-gcpckms", AWS_TO_GCP, { "vault.seal-type": "pass:matches", "vault.migration": "pass:complete" }],
    ["unsealed-awskms", AWS_TO_GCP, { "vault.seal-type": "fail:still-old", "vault.migration": "pass:none" }],
    ["unsealed-shamir", AWSKMS, { "vault.seal-type": "fail:still-old", "vault.recovery-seal": "pass:unseal-keys" }],
    ["unsealed-awskms", SHAMIR, { "vault.seal-type": "fail:mismatch" }],
    ["multiseal", TWO_ENABLED, { "vault.seal-type": "pass:multiseal" }],
    ["multiseal", AWSKMS, { "vault.seal-type": "fail:multiseal-unexpected" }],
    ["standby-awskms", AWSKMS, { "vault.health": "pass:code" }],
    ["standby-unhealthy-awskms", AWSKMS, { "vault.health": "warn:code" }],
    ["removed-awskms", AWSKMS, { "vault.health": "fail:code" }],
  ])("%s with config %#", async (scenario, configText, expected) => {
    vault.setScenario(scenario);
    const result = await runVaultChecks(configFromText(configText), { VAULT_ADDR: vault.addr });
    expect(codes(result)).toMatchObject(expected);
  });

  it("names the health code's meaning and the keys operators hold", async () => {
    vault.setScenario("uninitialized-awskms");
    let result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: vault.addr });
    const byId = (id: string) => result.checks.find((c) => c.id === id)!.findings[0]!;
    expect(byId("vault.health").args).toEqual({ code: 501, meaning: "not initialized" });
    expect(byId("vault.initialized").fix!.commands[0]).toBe(`VAULT_ADDR=${vault.addr} vault operator init -recovery-shares=5 -recovery-threshold=3`);
    vault.setScenario("sealed-awskms-keys-entered");
    result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: vault.addr });
    expect(result.checks.find((c) => c.id === "vault.sealed")!.findings[1]).toMatchObject({ code: "recovery-keys-entered", args: { progress: 1, t: 3, type: "awskms" } });
    vault.setScenario("migration-shamir-to-awskms");
    result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: vault.addr });
    expect(byId("vault.sealed").args).toMatchObject({ keys: "Shamir unseal keys", progress: 0, t: 3 });
    vault.setScenario("migration-awskms-to-gcpckms");
    result = await runVaultChecks(configFromText(AWS_TO_GCP), { VAULT_ADDR: vault.addr });
    expect(byId("vault.sealed").args).toMatchObject({ keys: "recovery keys" });
    expect(byId("vault.migration").args).toMatchObject({ from: "awskms", to: "gcpckms" });
  });

  it("--vault-addr wins over VAULT_ADDR, and no token is ever sent", async () => {
    vault.setScenario("unsealed-awskms");
    const before = vault.requests.length;
    const result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: "http://127.0.0.1:9", VAULT_TOKEN: "hvs.should-never-be-sent" }, 2_000, { "vault-addr": vault.addr });
    expect(codes(result)["vault.status"]).toBe("pass:reachable");
    expect(result.checks[0]!.findings[0]!.args).toMatchObject({ addr: vault.addr, from: "flag --vault-addr" });
    const seen = vault.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.path}`).sort()).toEqual(["GET /v1/sys/health", "GET /v1/sys/seal-status"]);
    for (const r of seen) {
      expect(r.headers["x-vault-token"]).toBeUndefined();
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it("an address nobody answers on is `error: unreachable`, and dependants skip", async () => {
    const result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: "http://127.0.0.1:9" });
    expect(codes(result)["vault.status"]).toBe("error:unreachable");
    expect(result.checks[0]!.findings[0]!.args).toEqual({ addr: "http://127.0.0.1:9", error: expect.stringMatching(/ECONNREFUSED/) });
    expect(codes(result)["vault.sealed"]).toBe("skip:prerequisite-failed");
  });

  it("a Vault that accepts and never answers hits the call deadline", async () => {
    const hung = await startVaultEmulator("hang");
    try {
      const result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: hung.addr }, 500);
      expect(codes(result)["vault.status"]).toBe("error:unreachable");
      expect(result.checks[0]!.findings[0]!.args).toEqual({ addr: hung.addr, error: expect.stringMatching(/did not answer \/v1\/sys\/.*within 500 ms/) });
    } finally {
      await hung.close();
    }
  });
});

describe("live Vault status over TLS", () => {
  let vault: VaultEmulator;
  let caFile: string;
  beforeAll(async () => {
    vault = await startVaultEmulator("unsealed-awskms", { tls: true });
    caFile = join(mkdtempSync(join(tmpdir(), "vkd-vault-ca-")), "ca.pem");
    writeFileSync(caFile, vault.caCertPem!);
  });
  afterAll(async () => {
    await vault.close();
  });

  it("an unknown CA is a TLS error with the --ca-cert fix", async () => {
    const result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: vault.addr });
    const f = result.checks[0]!.findings[0]!;
    expect(`${f.status}:${f.code}`).toBe("error:tls");
    expect(f.args).toEqual({ addr: vault.addr, error: expect.stringMatching(/SELF_SIGNED_CERT|self-signed/) });
    expect(f.fix!.commands[0]).toContain("--ca-cert");
  });

  it.each([
    ["VAULT_CACERT", (ca: string) => [{ VAULT_CACERT: ca }, {}] as const],
    ["--ca-cert", (ca: string) => [{}, { "ca-cert": ca }] as const],
  ])("%s verifies the server", async (_name, given) => {
    const [env, flags] = given(caFile);
    const result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: vault.addr, ...env }, 2_000, flags);
    expect(codes(result)["vault.status"]).toBe("pass:reachable");
  });

  it("VAULT_SKIP_VERIFY connects but warns", async () => {
    const result = await runVaultChecks(configFromText(AWSKMS), { VAULT_ADDR: vault.addr, VAULT_SKIP_VERIFY: "true" });
    expect(codes(result)["vault.status"]).toBe("pass:reachable,warn:skip-verify");
    expect(result.checks[0]!.findings[1]!.args).toEqual({ why: "VAULT_SKIP_VERIFY=true", addr: vault.addr });
  });
});
