// The same seal layouts read for each target server. OpenBao has no seal HA and its own layout rules, each seen from
// a real `bao server` 2.6.2 (with transit seals on a dev server) and read in its source: openbao v2.6.2
// helper/configutil/kms.go parseKMS, command/server/config.go CheckConfig, command/server.go setSeal:
//   two enabled seals   -> "seals: two seals provided but neither is disabled"
//   two disabled seals  -> "seals: two seals provided but both are disabled"
//   four in one file    -> "error parsing 'seal': only two or less "seal" blocks are permitted"
//   three seals         -> starts; "Auto Seal" is the last enabled one, "Old Auto Seal" the disabled one
//   name / priority     -> starts; passed to the wrapper as config, not shown, not used
// The migration plan speaks the target's CLI, unit and variables; OpenBao 2.7+ needs plugins for cloud seals.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import sealLayout from "../../checks/config/seal-layout.js";
import migrationLayout from "../../checks/migrate/layout.js";
import kmsPlugins from "../../checks/config/kms-plugins.js";
import type { AnyCheck } from "../../src/check.js";
import { loadVaultConfig } from "../../src/config/load.js";
import type { VaultConfig } from "../../src/config/seal-config.js";
import { runTarget } from "../../src/runner.js";
import { migrationPlan } from "../../src/vault/migration-plan.js";
import type { TargetServer } from "../../src/targets/server-behaviour.js";
import { configFromText } from "../support/check-harness.js";
import { ROOT } from "../support/cli.js";

const AWS = 'seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n';
const GCP = 'seal "gcpckms" {\n  project = "p"\n  region = "global"\n  key_ring = "r"\n  crypto_key = "k"\n}\n';
const disabled = (s: string) => s.replace("{", '{\n  disabled = "true"');

async function codes(def: AnyCheck, config: VaultConfig, server: TargetServer, opts: { env?: NodeJS.ProcessEnv; enterprise?: boolean; version?: string } = {}) {
  const result = await runTarget(
    { id: "config", kind: "config", label: "Configuration" },
    [def],
    { config, env: opts.env ?? {}, options: { timeoutMs: 5_000, callTimeoutMs: 1_000, enterprise: opts.enterprise ?? false, target: { server, version: opts.version, why: "test" } } },
    new AbortController().signal,
    new Set(),
  );
  return result.checks[0]?.findings.map((f) => `${f.status}:${f.code}`) ?? [];
}

describe("config.seal-layout: the same config, each target", () => {
  it.each([
    ["one enabled seal", AWS, ["pass:single-seal"], ["pass:single-seal"]],
    ["migration: one disabled, one enabled", disabled(AWS) + GCP, ["pass:migration"], ["pass:migration"]],
    ["two enabled seals", AWS + GCP, ["fail:several-enabled"], ["fail:openbao-both-enabled"]],
    ["two disabled seals", disabled(AWS) + disabled(GCP), ["fail:all-disabled"], ["fail:openbao-both-disabled"]],
    ["three seals", disabled(AWS) + GCP + AWS.replace("vault-unseal", "other"), ["fail:too-many-seals", "fail:several-enabled"], ["warn:openbao-unused-seals"]],
    ["four seals in one file", disabled(AWS) + GCP + AWS + GCP, ["fail:too-many-seals", "fail:several-enabled", "fail:duplicate-name"], ["fail:openbao-too-many-in-file"]],
    ["seal HA settings", AWS.replace("{", '{\n  name = "primary"\n  priority = "1"'), ["pass:single-seal"], ["pass:single-seal", "warn:openbao-no-seal-ha", "warn:openbao-no-seal-ha"]],
    ["an invalid priority", AWS.replace("{", '{\n  priority = "0"'), ["fail:invalid-priority"], ["pass:single-seal", "warn:openbao-no-seal-ha"]],
  ] as const)("%s", async (_name, text, vault, openbao) => {
    expect(await codes(sealLayout, configFromText(text, {}, "vault.hcl", "vault"), "vault")).toEqual(vault);
    expect(await codes(sealLayout, configFromText(text, {}, "bao.hcl", "openbao"), "openbao")).toEqual(openbao);
  });

  it("three seals: which one OpenBao uses and which it ignores", async () => {
    const config = configFromText(disabled(AWS) + GCP + AWS.replace("vault-unseal", "other"), {}, "bao.hcl", "openbao");
    const result = await runTarget({ id: "config", kind: "config", label: "c" }, [sealLayout],
      { config, env: {}, options: { timeoutMs: 5_000, callTimeoutMs: 1_000, enterprise: false, target: { server: "openbao", why: "t" } } }, new AbortController().signal, new Set());
    const f = result.checks[0]!.findings[0]!;
    expect(f.details).toEqual({ used: `${config.files[0]}:12`, old: `${config.files[0]}:1`, unused: [`${config.files[0]}:6`] });
  });

  it("--enterprise means nothing to OpenBao: two enabled seals still fail", async () => {
    expect(await codes(sealLayout, configFromText(AWS + GCP, {}, "bao.hcl", "openbao"), "openbao", { enterprise: true })).toEqual(["fail:openbao-both-enabled"]);
  });

  it("the seal type forced by the environment names its variable", async () => {
    const env = { BAO_SEAL_TYPE: "gcpckms" };
    const config = configFromText(AWS, env, "bao.hcl", "openbao");
    const result = await runTarget({ id: "config", kind: "config", label: "c" }, [sealLayout],
      { config, env, options: { timeoutMs: 5_000, callTimeoutMs: 1_000, enterprise: false, target: { server: "openbao", why: "t" } } }, new AbortController().signal, new Set());
    expect(result.checks[0]!.findings.find((f) => f.code === "type-override")).toMatchObject({ args: { variable: "BAO_SEAL_TYPE", value: "gcpckms" } });
  });
});

describe("migrate.layout for OpenBao", () => {
  const text = disabled(AWS) + GCP;
  it("BAO_SEAL_TYPE is the variable OpenBao applies to the new seal", async () => {
    const env = { BAO_SEAL_TYPE: "awskms", VAULT_SEAL_TYPE: "gcpckms" };
    expect(await codes(migrationLayout, configFromText(text, env, "bao.hcl", "openbao"), "openbao", { env })).toEqual(["fail:seal-type-exported"]);
    // Vault reads only VAULT_SEAL_TYPE, which names the new seal's own type.
    expect(await codes(migrationLayout, configFromText(text, env, "vault.hcl", "vault"), "vault", { env })).toEqual(["pass:layout", "warn:seal-type-exported-same"]);
  });

  it("OpenBao 2.7: the old and the new cloud seal both need their plugin; 2.6 only warns", async () => {
    expect(await codes(kmsPlugins, configFromText(text, {}, "bao.hcl", "openbao"), "openbao", { version: "2.7" })).toEqual(["fail:builtin-removed", "fail:builtin-removed"]);
    expect(await codes(kmsPlugins, configFromText(text, {}, "bao.hcl", "openbao"), "openbao", { version: "2.6.2" })).toEqual(["warn:builtin-deprecated", "warn:builtin-deprecated"]);
    expect(await codes(kmsPlugins, configFromText(text, {}, "bao.hcl", "openbao"), "openbao", { version: "2.10" })).toEqual(["fail:builtin-removed", "fail:builtin-removed"]);
  });
});

describe("the migration plan speaks the target's tools", () => {
  const fixture = (name: string) => loadVaultConfig([join(ROOT, "fixtures/configs/migrations", name, "vault.hcl")], { env: {} });
  const all = (plan: ReturnType<typeof migrationPlan>) => [...plan.steps, ...plan.rollback].map((s) => [s.text, ...s.commands].join("\n")).join("\n");

  it("OpenBao: bao, BAO_ADDR, the openbao unit, BAO_SEAL_TYPE; no vault command", () => {
    const text = all(migrationPlan(fixture("awskms-to-gcpckms"), { vaultAddr: "https://bao-0:8200", target: { server: "openbao", version: "2.6.2", why: "t" } }));
    expect(text).toContain("BAO_ADDR=<NODE_ADDR> bao operator unseal -migrate");
    expect(text).toContain("BAO_ADDR=https://bao-0:8200 bao operator raft snapshot save pre-seal-migration.snap");
    expect(text).toContain("systemctl stop openbao");
    expect(text).toContain("BAO_SEAL_TYPE (and VAULT_SEAL_TYPE) is not set where OpenBao runs");
    expect(text).toContain("vault-kms-doctor migrate --config");
    expect(text).not.toMatch(/(^|[\s=])vault (operator|status)|systemctl (stop|start) vault\b/m);
    expect(text).not.toContain("plugin \"kms\"");
  });

  it("OpenBao 2.7: a step for the plugins of the old and the new seal", () => {
    const plan = migrationPlan(fixture("awskms-to-gcpckms"), { target: { server: "openbao", version: "2.7", why: "t" } });
    expect(all(plan)).toContain('each node needs plugin "kms" "awskms" and plugin "kms" "gcpckms"');
  });

  it("Vault: unchanged", () => {
    const text = all(migrationPlan(fixture("awskms-to-gcpckms"), { target: { server: "vault", why: "t" } }));
    expect(text).toContain("VAULT_ADDR=<NODE_ADDR> vault operator unseal -migrate");
    expect(text).toContain("systemctl stop vault");
    expect(text).not.toContain("bao ");
  });
});
