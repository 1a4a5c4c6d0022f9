// The target server read from the running server's GET /v1/sys/seal-status (src/targets/live.ts): a real OpenBao 2.6.2
// (`bao server -dev` from `npm run peers`, on loopback) and the Vault emulator (test/emulator/vault, Vault 1.17's
// documented seal-status shape). Precedence: --target > the running server > a plugin "kms" block > BAO_* variables;
// hints that disagree are config.target warnings.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverFromSealStatus } from "../../src/targets/live.js";
import { detectTarget } from "../../src/targets/target.js";
import { startDevServer, type DevServer } from "../transit/dev-server.js";
import { startVaultEmulator, type VaultEmulator } from "../emulator/vault/server.js";
import { configFromText } from "../support/check-harness.js";
import { baseEnv, codesOf, ROOT, runCli } from "../support/cli.js";

const AWSKMS = `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`;
const PLUGIN = `plugin_directory = "/nonexistent/plugins"\nplugin "kms" "awskms" {\n  command = "awskms-plugin"\n  sha256sum = "${"0".repeat(64)}"\n}\n${AWSKMS}`;

describe("which server a seal-status body names", () => {
  const at = "http://127.0.0.1:8200";
  it.each([
    // openbao v2.6.2 vault/logical_system.go CoreSealStatusResponse: commit_date, no build_date.
    ["OpenBao 2.6+", { version: "2.6.2", commit_date: "2026-08-18T15:48:19Z" }, { server: "openbao", version: "2.6.2" }],
    // Vault 1.19 (api-docs/system/seal-status): build_date and removed_from_cluster.
    ["Vault 1.19", { version: "1.19.0", build_date: "2024-11-15T14:17:42Z", removed_from_cluster: false }, { server: "vault", version: "1.19.0" }],
    ["Vault 2.x", { version: "2.0.1", build_date: "2026-04-01T00:00:00Z", removed_from_cluster: false }, { server: "vault", version: "2.0.1" }],
    ["Vault Enterprise", { version: "1.18.4+ent", build_date: "2025-01-01T00:00:00Z" }, { server: "vault", version: "1.18.4" }],
    ["Vault 1.17", { version: "1.17.3", build_date: "2024-08-06T14:28:45Z" }, { server: "vault", version: "1.17.3" }],
    // OpenBao 2.0-2.5 still sent build_date (openbao v2.5.0 vault/logical_system.go).
    ["OpenBao 2.5", { version: "2.5.1", build_date: "2026-01-01T00:00:00Z" }, { server: "openbao", version: "2.5.1" }],
  ] as const)("%s", (_name, body, expected) => {
    expect(serverFromSealStatus(body, at)).toMatchObject({ source: "live", ...expected });
  });

  it("a body without a version says nothing", () => {
    expect(serverFromSealStatus({ type: "shamir" }, at)).toBeUndefined();
  });
});

describe("precedence and conflicts", () => {
  const live = { source: "live" as const, server: "vault" as const, version: "1.19.0", why: "the server at X is HashiCorp Vault 1.19.0" };
  it("the running server beats a plugin \"kms\" block and BAO_* variables; they become conflicts", () => {
    const t = detectTarget({ env: { BAO_ADDR: "http://x" }, kmsPlugins: [{ name: "awskms", where: "bao.hcl:2" }], live });
    expect(t).toMatchObject({ server: "vault", version: "1.19.0", why: live.why });
    expect(t.conflicts?.map((c) => c.source)).toEqual(["config", "env"]);
  });
  it("a plugin \"kms\" block beats BAO_* variables (both OpenBao: no conflict)", () => {
    const t = detectTarget({ env: { BAO_ADDR: "http://x" }, kmsPlugins: [{ name: "awskms", where: "bao.hcl:2" }] });
    expect(t).toMatchObject({ server: "openbao", why: expect.stringContaining("bao.hcl:2") });
    expect(t.conflicts).toBeUndefined();
  });
  it("--target beats the server; a different version is a conflict, a missing one is taken from the server", () => {
    const bao = { source: "live" as const, server: "openbao" as const, version: "2.6.2", why: "the server at X is OpenBao 2.6.2" };
    expect(detectTarget({ flag: "openbao", env: {}, live: bao })).toMatchObject({ server: "openbao", version: "2.6.2" });
    expect(detectTarget({ flag: "openbao@2.6", env: {}, live: bao }).conflicts).toBeUndefined();
    expect(detectTarget({ flag: "openbao@2.7", env: {}, live: bao })).toMatchObject({ version: "2.7", conflicts: [{ source: "live", version: "2.6.2" }] });
    expect(detectTarget({ flag: "vault", env: {}, live: bao })).toMatchObject({ server: "vault", conflicts: [{ server: "openbao" }] });
  });
});

describe("a real OpenBao 2.6.2 at --vault-addr", () => {
  let bao: DevServer;
  let vault: VaultEmulator;
  beforeAll(async () => {
    [bao, vault] = await Promise.all([startDevServer(), startVaultEmulator("unsealed-awskms")]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([bao?.stop(), vault?.close()]);
  });

  it("is detected from its seal-status, named in the JSON target and the text header", async () => {
    const cfg = configFromText(AWSKMS);
    const json = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--vault-addr", bao.addr, "--format", "json"], { env: baseEnv() });
    const report = JSON.parse(json.stdout);
    expect(report.target).toMatchObject({ server: "openbao", version: "2.6.2", why: expect.stringContaining("commit_date") });
    expect(report.target.conflicts).toBeUndefined();
    // OpenBao 2.6 target: its own checks run (config.kms-plugins: the built-in awskms is deprecated).
    expect(codesOf(report)["config/config.kms-plugins"]).toEqual(["builtin-deprecated"]);
    const text = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--vault-addr", bao.addr], { env: baseEnv() });
    expect(text.stdout).toMatch(/for OpenBao 2\.6\.2 \(the server at http:\/\/127\.0\.0\.1:\d+ is OpenBao 2\.6\.2/);
  });

  it("BAO_ADDR is the address when no --vault-addr is given (the bao CLI's order)", async () => {
    const cfg = configFromText(AWSKMS);
    const r = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--only", "vault.status", "--format", "json"], { env: baseEnv({ BAO_ADDR: bao.addr, VAULT_ADDR: vault.addr }) });
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ server: "openbao", version: "2.6.2" });
    expect(report.targets[0].checks.find((c: any) => c.id === "vault.status").findings[0].message).toContain("from env BAO_ADDR");
    // The server names itself as what it is (detected from its seal-status), not as "Vault".
    expect(report.targets[0].checks.find((c: any) => c.id === "vault.status").findings[0].args).toMatchObject({ server: "OpenBao", version: "2.6.2" });
  });

  it("--target vault against it: the verdict follows --target, config.target warns", async () => {
    const cfg = configFromText(AWSKMS);
    const r = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--vault-addr", bao.addr, "--target", "vault", "--format", "json"], { env: baseEnv() });
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ server: "vault", conflicts: [{ source: "live", server: "openbao", version: "2.6.2" }] });
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, "schema/report.schema.json"), "utf8")));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const finding = report.targets[0].checks.find((c: any) => c.id === "config.target").findings[0];
    expect(finding).toMatchObject({ status: "warn", code: "server-conflict", details: { source: "live", server: "openbao" } });
    expect(r.code).toBe(0);
  });

  it("--target openbao@2.7 against 2.6.2: version-conflict, and the 2.7 rules apply", async () => {
    const cfg = configFromText(AWSKMS);
    const r = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--vault-addr", bao.addr, "--target", "openbao@2.7", "--format", "json"], { env: baseEnv() });
    const codes = codesOf(JSON.parse(r.stdout));
    expect(codes["config/config.target"]).toEqual(["version-conflict"]);
    expect(codes["config/config.kms-plugins"]).toEqual(["builtin-removed"]);
  });

  it("a Vault at --vault-addr beats a plugin \"kms\" block: read as Vault's config, the block named as a conflict", async () => {
    const cfg = configFromText(PLUGIN);
    const r = await runCli(["-c", cfg.files[0]!, "--only", "config.*", "--vault-addr", vault.addr, "--format", "json"], { env: baseEnv() });
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ server: "vault", version: "1.17.3", conflicts: [{ source: "config", server: "openbao" }] });
    expect(codesOf(report)["config/config.target"]).toEqual(["server-conflict"]);
    expect(codesOf(report)["config/config.kms-plugins"]).toBeUndefined();
  });

  it("a server that does not answer gives no hint: the config decides", async () => {
    const cfg = configFromText(PLUGIN);
    const r = await runCli(["-c", cfg.files[0]!, "--only", "config.seal-layout", "--vault-addr", "http://127.0.0.1:9", "--format", "json"], { env: baseEnv() });
    expect(JSON.parse(r.stdout).target).toMatchObject({ server: "openbao", why: expect.stringContaining("plugin \"kms\"") });
  });
});
