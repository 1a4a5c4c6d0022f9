// config.kms-plugins for an OpenBao target: the plugin's command inside plugin_directory, executable, matching its
// sha256sum and this machine's architecture, as openbao v2.6.0 helper/kmsplugin/catalog.go requires; the built-in
// cloud seals warned on 2.6 and refused from 2.7. Nothing is ever started.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync as readText, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseEnv, runCli } from "../support/cli.js";

function setup(plugin: { bytes: Buffer; sha?: string; dir?: boolean; mode?: number }) {
  const root = mkdtempSync(join(tmpdir(), "vkd-plugins-"));
  const dir = join(root, "plugins");
  mkdirSync(dir);
  const bin = join(dir, "awskms-plugin");
  writeFileSync(bin, plugin.bytes);
  chmodSync(bin, plugin.mode ?? 0o755);
  const sha = plugin.sha ?? createHash("sha256").update(plugin.bytes).digest("hex");
  const cfg = join(root, "bao.hcl");
  writeFileSync(cfg, `${plugin.dir === false ? "" : `plugin_directory = "${dir}"\n`}plugin "kms" "awskms" {\n  command = "awskms-plugin"\n  sha256sum = "${sha}"\n}\nseal "awskms" {\n  kms_key_id = "alias/k"\n  region = "us-east-1"\n}\n`);
  return { root, dir, bin, cfg };
}

async function codes(cfg: string, target = "openbao@2.6"): Promise<{ codes: string[]; args: Record<string, unknown>[] }> {
  const r = await runCli(["-c", cfg, "--target", target, "--only", "config.kms-plugins", "--format", "json"], { env: baseEnv() });
  const check = JSON.parse(r.stdout).targets[0].checks.find((c: { id: string }) => c.id === "config.kms-plugins");
  return { codes: check.findings.map((f: { code: string }) => f.code), args: check.findings.map((f: { args?: Record<string, unknown> }) => f.args ?? {}) };
}

const SCRIPT = Buffer.from("#!/bin/sh\nexit 0\n");

describe("config.kms-plugins (OpenBao target)", () => {
  it("a plugin inside plugin_directory, executable, matching its sha256sum: pass, not started", async () => {
    const { cfg, bin } = setup({ bytes: SCRIPT });
    const r = await codes(cfg);
    expect(r.codes).toEqual(["ok"]);
    expect(r.args[0]).toMatchObject({ name: "awskms", path: bin });
  });

  it("a checksum that does not match", async () => {
    const { cfg } = setup({ bytes: SCRIPT, sha: "a".repeat(64) });
    expect((await codes(cfg)).codes).toEqual(["checksum"]);
  });

  it("a sha256sum OpenBao's config validation refuses", async () => {
    const { cfg } = setup({ bytes: SCRIPT, sha: "abc" });
    const r = await codes(cfg);
    expect(r.codes).toEqual(["bad-sha256"]);
    expect(r.args[0]).toMatchObject({ length: 3 });
  });

  it("no plugin_directory", async () => {
    expect((await codes(setup({ bytes: SCRIPT, dir: false }).cfg)).codes).toEqual(["no-directory"]);
  });

  it("no command, or a binary too large to hash (a sparse 513 MiB file)", async () => {
    const { cfg, bin } = setup({ bytes: SCRIPT });
    const { readFileSync, truncateSync } = await import("node:fs");
    truncateSync(bin, 513 * 1024 * 1024);
    expect((await codes(cfg)).codes).toEqual(["too-large"]);
    writeFileSync(cfg, readText(cfg, "utf8").replace(/  command = "awskms-plugin"\n/, ""));
    expect((await codes(cfg)).codes).toEqual(["no-command"]);
  });

  it("not executable", async () => {
    expect((await codes(setup({ bytes: SCRIPT, mode: 0o644 }).cfg)).codes).toEqual(["not-executable"]);
  });

  it("a command that resolves outside plugin_directory (a symlink out)", async () => {
    const { cfg, bin, root } = setup({ bytes: SCRIPT });
    const outside = join(root, "elsewhere");
    writeFileSync(outside, SCRIPT);
    chmodSync(outside, 0o755);
    const { rmSync } = await import("node:fs");
    rmSync(bin);
    symlinkSync(outside, bin);
    expect((await codes(cfg)).codes).toEqual(["outside"]);
  });

  it("an ELF binary for another architecture", async () => {
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little-endian
    elf.writeUInt16LE(process.arch === "arm64" ? 62 : 183, 18);
    const r = await codes(setup({ bytes: elf }).cfg);
    expect(r.codes).toEqual(["arch"]);
    expect(r.args[0]).toMatchObject({ machine: process.arch });
  });

  it("built-in cloud seals: a warning on 2.6, refused from 2.7; not checked for Vault", async () => {
    const root = mkdtempSync(join(tmpdir(), "vkd-plugins-"));
    const cfg = join(root, "bao.hcl");
    writeFileSync(cfg, 'seal "awskms" {\n  kms_key_id = "alias/k"\n  region = "us-east-1"\n}\n');
    expect((await codes(cfg, "openbao@2.6")).codes).toEqual(["builtin-deprecated"]);
    expect((await codes(cfg, "openbao@2.7")).codes).toEqual(["builtin-removed"]);
    writeFileSync(cfg, 'seal "transit" {\n  address = "https://bao-transit:8200"\n  key_name = "k"\n  mount_path = "transit/"\n}\n');
    expect((await codes(cfg, "openbao@2.6")).codes).toEqual(["none"]);
    const vault = await runCli(["-c", cfg, "--target", "vault", "--only", "config.*", "--format", "json"], { env: baseEnv() });
    expect(JSON.parse(vault.stdout).targets[0].checks.map((c: { id: string }) => c.id)).not.toContain("config.kms-plugins");
  });
});

describe("config.kms-plugins: a block without sha256sum, per OpenBao version", () => {
  function unpinned() {
    const { cfg, bin, dir } = setup({ bytes: SCRIPT });
    writeFileSync(cfg, readText(cfg, "utf8").replace(/  sha256sum = "[0-9a-f]{64}"\n/, ""));
    return { cfg, bin, dir };
  }
  // bao server 2.6.2: "start plugin client: error verifying checksum: no checksum provided".
  it("2.6 refuses it", async () => {
    expect((await codes(unpinned().cfg, "openbao@2.6")).codes).toEqual(["bad-sha256"]);
  });
  // bao server 2.7.2 starts such a plugin unverified (no warning logged).
  it("2.7 runs it unverified: a warning with the hash to pin", async () => {
    const { cfg, bin } = unpinned();
    const r = await codes(cfg, "openbao@2.7");
    expect(r.codes).toEqual(["unpinned"]);
    expect(r.args[0]).toMatchObject({ path: bin, actual: createHash("sha256").update(SCRIPT).digest("hex"), version: "2.7" });
  });
});
