// The config reader must see exactly what Vault sees (docs/vault-seal-facts.md#reading-the-config): files and directories,
// HCL and JSON, appended seal blocks, env overrides, VAULT_SEAL_TYPE, indirection, and where each value came from.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadVaultConfig, sealFromFlags, ConfigError, configFilesIn } from "../../src/config/load.js";
import { ConfigSyntaxError } from "../../src/config/hcl.js";
import { formatProvenance, sealValue } from "../../src/config/seal-config.js";
import { configFromText } from "../support/check-harness.js";
import { ROOT } from "../support/cli.js";

const fixture = (p: string) => join(ROOT, "fixtures/configs", p);

describe("config reader", () => {
  it("reads an awskms seal with file:line provenance", () => {
    const cfg = loadVaultConfig([fixture("awskms.hcl")], { env: {} });
    expect(cfg.seals).toHaveLength(1);
    const seal = cfg.seals[0]!;
    expect(seal).toMatchObject({ type: "awskms", name: "awskms", disabled: false });
    expect(sealValue(seal, "kms_key_id")).toBe("alias/vault-unseal");
    expect(formatProvenance(seal.values.region!.from)).toBe(`${fixture("awskms.hcl")}:13`);
    expect(formatProvenance(seal.values.kms_key_id!.from)).toBe(`${fixture("awskms.hcl")}:14`);
    expect(formatProvenance(seal.from)).toBe(`${fixture("awskms.hcl")}:12`);
  });

  it("reads a directory: .hcl and .json in name order, editor backups skipped, seals appended", () => {
    const dir = fixture("migration-awskms-to-gcpckms");
    expect(configFilesIn(dir).map((f) => f.slice(dir.length + 1))).toEqual(["00-server.hcl", "10-seal-old.hcl", "20-seal-new.json"]);
    const cfg = loadVaultConfig([dir], { env: {} });
    expect(cfg.seals.map((s) => [s.type, s.name, s.disabled])).toEqual([
      ["awskms", "awskms-disabled", true],
      ["gcpckms", "gcpckms", false],
    ]);
    const gcp = cfg.seals[1]!;
    expect(formatProvenance(gcp.values.key_ring!.from)).toBe(`${dir}/20-seal-new.json:6`);
    expect(formatProvenance(cfg.seals[0]!.values.kms_context!.from)).toBe(`${dir}/10-seal-old.hcl:4`);
  });

  it("reads JSON seal arrays and kms blocks", () => {
    const cfg = configFromText(JSON.stringify({ seal: { awskms: { kms_key_id: "k1" }, transit: [{ key_name: "t" }] } }, null, 2), {}, "c.json");
    expect(cfg.seals.map((s) => s.type)).toEqual(["awskms", "transit"]);
    const kms = configFromText('kms "awskms" {\n  kms_key_id = "k"\n}\n');
    expect(kms.seals[0]).toMatchObject({ kind: "kms", type: "awskms" });
  });

  it("coerces values to strings and reads disabled, priority and name like Vault", () => {
    const cfg = configFromText('seal "awskms" {\n  disabled = true\n  priority = 2\n  kms_key_id = "k"\n  key_not_required = true\n}\nseal "gcpckms" {\n  name = "new-seal"\n}\n');
    expect(cfg.seals[0]).toMatchObject({ disabled: true, priority: 2, name: "awskms-disabled" });
    expect(cfg.seals[0]!.values.key_not_required!.value).toBe("true");
    expect(cfg.seals[1]).toMatchObject({ disabled: false, name: "new-seal" });
  });

  it.each([
    ["AWS_REGION", "region", "eu-west-1"],
    ["AWS_DEFAULT_REGION", "region", "eu-west-1"],
    ["VAULT_AWSKMS_SEAL_KEY_ID", "kms_key_id", "alias/from-env"],
    ["AWSKMS_WRAPPER_KEY_ID", "kms_key_id", "alias/from-env"],
    ["AWS_KMS_ENDPOINT", "endpoint", "https://vpce.example"],
  ])("env %s overrides the file's %s", (name, key, value) => {
    const cfg = configFromText('seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/file"\n  endpoint = "https://file"\n}\n', { [name]: value });
    const v = cfg.seals[0]!.values[key]!;
    expect(v.value).toBe(value);
    expect(v.from).toEqual({ kind: "env", name });
    expect(v.overridden?.[0]?.value).toBeDefined();
  });

  it("records a random-order conflict between two variables for one key, but not for the wrapper's ordered key id", () => {
    const cfg = configFromText('seal "awskms" {\n  kms_key_id = "k"\n}\n', { AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-west-2", AWSKMS_WRAPPER_KEY_ID: "a", VAULT_AWSKMS_SEAL_KEY_ID: "b" });
    expect(cfg.seals[0]!.envConflicts.map((c) => c.key)).toEqual(["region"]);
    expect(cfg.seals[0]!.values.kms_key_id!.value).toBe("a");
  });

  it("lets transit's address in the file win over VAULT_ADDR", () => {
    const cfg = configFromText('seal "transit" {\n  address = "https://file:8200"\n  key_name = "k"\n  mount_path = "transit/"\n}\n', { VAULT_ADDR: "https://env:8200" });
    expect(cfg.seals[0]!.values.address!.value).toBe("https://file:8200");
  });

  it("applies VAULT_SEAL_TYPE to enabled seals only", () => {
    const cfg = configFromText('seal "awskms" {\n  disabled = "true"\n}\nseal "transit" {\n}\n', { VAULT_SEAL_TYPE: "gcpckms" });
    expect(cfg.seals.map((s) => [s.declaredType, s.type])).toEqual([["awskms", "awskms"], ["transit", "gcpckms"]]);
    expect(cfg.seals[1]!.typeOverriddenBy).toBe("VAULT_SEAL_TYPE");
  });

  it("resolves env://, file:// and string:// for credential keys, and records failures", () => {
    const dir = mkdtempSync(join(tmpdir(), "vkd-"));
    writeFileSync(join(dir, "secret"), "file-secret\n");
    const cfg = configFromText(`seal "awskms" {\n  access_key = "env://MY_AK"\n  secret_key = "file://${dir}/secret"\n  session_token = "string://tok"\n  kms_key_id = "env://NOT_INDIRECT"\n}\n`, { MY_AK: "AKIAEXAMPLE" });
    const v = cfg.seals[0]!.values;
    expect([v.access_key!.value, v.secret_key!.value, v.session_token!.value]).toEqual(["AKIAEXAMPLE", "file-secret", "tok"]);
    expect(v.kms_key_id!.value).toBe("env://NOT_INDIRECT");
    const broken = configFromText('seal "awskms" {\n  secret_key = "env://MISSING_VAR"\n}\n');
    expect(broken.seals[0]!.values.secret_key!.resolveError).toMatch(/MISSING_VAR is not set/);
  });

  it("reports a syntax error with file, line and column", () => {
    expect(() => loadVaultConfig([fixture("broken-syntax.hcl")], { env: {} })).toThrow(ConfigSyntaxError);
    try {
      loadVaultConfig([fixture("broken-syntax.hcl")], { env: {} });
    } catch (err) {
      // An exception's text, not a finding: file:line:column is what the user reads.
      expect((err as ConfigSyntaxError).message).toMatch(/broken-syntax\.hcl:\d+:\d+: .*RBRACE/);
    }
  });

  it("rejects unreadable paths, empty directories and binary files with one clear line", () => {
    expect(() => loadVaultConfig(["/nonexistent/vault.hcl"], { env: {} })).toThrow(/no such file or directory/);
    const empty = mkdtempSync(join(tmpdir(), "vkd-empty-"));
    expect(() => loadVaultConfig([empty], { env: {} })).toThrow(ConfigError);
    const bin = join(empty, "bin.hcl");
    writeFileSync(bin, Buffer.from([0x73, 0x00, 0xff, 0xfe]));
    expect(() => loadVaultConfig([bin], { env: {} })).toThrow(/NUL bytes/);
  });

  it("builds a seal from flags with flag provenance; env still overrides as in Vault", () => {
    const cfg = sealFromFlags("awskms", { kms_key_id: "alias/x", region: "us-east-1" }, { env: { AWS_REGION: "eu-west-1" } });
    const seal = cfg.seals[0]!;
    expect(formatProvenance(seal.values.kms_key_id!.from)).toBe("flag --key-id");
    expect(seal.values.region!.value).toBe("eu-west-1");
  });
});
