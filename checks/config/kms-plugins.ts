// OpenBao 2.6+ KMS plugins: `plugin "kms" "<name>" { command = …, sha256sum = … }` next to `seal "<name>"`. OpenBao
// runs `<plugin_directory>/<command>` only if it resolves inside plugin_directory and its SHA-256 equals sha256sum
// (openbao v2.6.0 helper/kmsplugin/catalog.go checkFilePath and its go-plugin SecureConfig; command/server/config.go
// validates sha256sum). The built-in cloud seals still work in 2.6 but log a deprecation warning (seen from
// `bao server` 2.6.2); 2.7 removed them: `bao server` 2.7.2 exits with `Error configuring seal "awskms": unknown wrapper:
// awskms` (helper/kmsplugin/wrapper.go). A block without sha256sum: 2.6.2 refuses it ("start plugin client: error
// verifying checksum: no checksum provided"), 2.7.2 starts the plugin unverified (both seen from the real servers).
// The plugin itself is not started: a handshake would run its code.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { defineCheck, type Finding } from "../../src/check.js";
import { versionAtLeast } from "../../src/targets/target.js";
import { sh } from "../../src/shell.js";

/** The cloud seals OpenBao 2.6 still builds in, with the deprecation warning; 2.7 moved them to plugins. */
const MOVED_TO_PLUGINS = ["awskms", "gcpckms", "azurekeyvault", "ocikms", "alicloudkms"];
/** A plugin binary larger than this is not hashed (the run would spend its budget reading it). */
const MAX_PLUGIN_BYTES = 512 * 1024 * 1024;
/** ELF e_machine values for the architectures Node reports (System V ABI). */
const ELF_MACHINE: Record<number, string> = { 62: "x64", 183: "arm64", 3: "ia32", 40: "arm", 243: "riscv64", 21: "ppc64", 22: "s390x" };

function sha256Of(path: string, signal: AbortSignal): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      if (signal.aborted) throw new Error("the run's time budget was spent while hashing the plugin");
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The architecture an ELF binary was built for, or undefined when the file is not ELF (a script runs as it is). */
function elfArch(path: string): string | undefined {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(20);
    if (readSync(fd, head, 0, 20, 0) < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    return ELF_MACHINE[machine] ?? `e_machine ${machine}`;
  } finally {
    closeSync(fd);
  }
}

export default defineCheck({
  id: "config.kms-plugins",
  title: "OpenBao KMS plugins",
  scope: "config",
  blocksStart: true,
  when: "openbao",
  appliesTo: ["*"],
  messages: {
    "none": "No plugin \"kms\" block: every seal uses OpenBao's built-in wrapper.",
    "builtin-deprecated": "Seal {type} ({where}) uses OpenBao's built-in wrapper: OpenBao {version} logs \"Support for this Auto Unseal mechanism has been moved into an external plugin and will be removed from the main OpenBao distribution in the next minor release\"; OpenBao 2.7 and later need plugin \"kms\" \"{type}\".",
    "builtin-removed": "Seal {type} ({where}) has no plugin \"kms\" \"{type}\": OpenBao {version} no longer builds in the {type} wrapper and does not start: Error configuring seal \"{type}\": unknown wrapper: {type}.",
    "unpinned": "plugin \"kms\" \"{name}\" ({where}) has no sha256sum: OpenBao {version} runs {path} without verifying it (2.6 refused such a block). Pin the binary you checked: sha256sum = \"{actual}\"{arch}.",
    "no-directory": "plugin \"kms\" \"{name}\" ({where}) needs plugin_directory: OpenBao runs the plugin's command from there, and none is set.",
    "no-command": "plugin \"kms\" \"{name}\" ({where}) has no command.",
    "bad-sha256": "plugin \"kms\" \"{name}\" ({where}): OpenBao refuses the config: plugin \"kms-{name}\": sha256sum must be exactly 64 hex characters, got {length} ({value}).",
    "missing": "plugin \"kms\" \"{name}\" ({where}): {path} does not exist or cannot be read ({error}).",
    "outside": "plugin \"kms\" \"{name}\" ({where}): {path} resolves to {real}, outside plugin_directory {directory}: OpenBao refuses it (\"cannot execute files outside of configured plugin directory\").",
    "not-executable": "plugin \"kms\" \"{name}\" ({where}): {path} is not an executable regular file.",
    "too-large": "plugin \"kms\" \"{name}\" ({where}): {path} is {size} bytes, more than this tool hashes ({max}); its sha256sum is not verified.",
    "checksum": "plugin \"kms\" \"{name}\" ({where}): the SHA-256 of {path} is {actual}, not the configured sha256sum {expected}: OpenBao refuses to run it (go-plugin checksum mismatch).",
    "arch": "plugin \"kms\" \"{name}\" ({where}): {path} is built for {arch}, this machine is {machine}: it cannot run here.",
    "ok": "plugin \"kms\" \"{name}\": {path} is inside plugin_directory, executable and matches its sha256sum{arch}. It was not started (a handshake would run its code).",
  },
  async run(ctx) {
    const findings: Finding[] = [];
    const plugins = ctx.config.kmsPlugins ?? [];
    const version = ctx.options.target?.version ?? "2.6";
    const removed = versionAtLeast(version, "2.7");
    for (const seal of ctx.config.seals) {
      if (!MOVED_TO_PLUGINS.includes(seal.type) || plugins.some((p) => p.name === seal.type)) continue;
      const where = seal.from.kind === "file" ? `${seal.from.file}${seal.from.line ? `:${seal.from.line}` : ""}` : "flags";
      findings.push(ctx.report(removed ? "fail" : "warn", removed ? "builtin-removed" : "builtin-deprecated", { type: seal.type, where, version }));
    }
    const dir = ctx.config.pluginDirectory;
    for (const p of plugins) {
      const base = { name: p.name, where: p.where };
      if (!p.command) { findings.push(ctx.report("fail", "no-command", base)); continue; }
      const sum = p.sha256sum ?? "";
      // 2.7+ runs a plugin without sha256sum (seen from bao server 2.7.2); 2.6 refuses it.
      const unpinned = sum === "" && removed;
      if (!unpinned && !/^[0-9a-fA-F]{64}$/.test(sum)) { findings.push(ctx.report("fail", "bad-sha256", { ...base, length: sum.length, value: sum || "missing" })); continue; }
      if (!dir) { findings.push(ctx.report("fail", "no-directory", base)); continue; }
      const directory = resolve(dir.value);
      const path = isAbsolute(p.command) ? p.command : join(directory, p.command);
      let real: string;
      let realDir: string;
      try {
        real = realpathSync(path);
        realDir = realpathSync(directory);
      } catch (err) {
        findings.push(ctx.report("fail", "missing", { ...base, path, error: (err as NodeJS.ErrnoException).code ?? String(err) }));
        continue;
      }
      if (dirname(real) !== realDir) { findings.push(ctx.report("fail", "outside", { ...base, path, real, directory: realDir })); continue; }
      const st = statSync(real);
      if (!st.isFile() || (st.mode & 0o111) === 0) { findings.push(ctx.report("fail", "not-executable", { ...base, path })); continue; }
      if (st.size > MAX_PLUGIN_BYTES) { findings.push(ctx.report("error", "too-large", { ...base, path, size: st.size, max: MAX_PLUGIN_BYTES })); continue; }
      const actual = sha256Of(real, ctx.signal);
      if (!unpinned && actual !== sum.toLowerCase()) { findings.push(ctx.report("fail", "checksum", { ...base, path, actual, expected: sum.toLowerCase() })); continue; }
      const arch = elfArch(real);
      if (arch && arch !== process.arch) { findings.push(ctx.report("fail", "arch", { ...base, path, arch, machine: process.arch })); continue; }
      if (unpinned) {
        findings.push(ctx.report("warn", "unpinned", { ...base, version, path, actual, arch: arch ? `; it is an ELF ${arch} binary` : "" }, {
          fix: { summary: `Add sha256sum = "${actual}" to plugin "kms" "${p.name}", after checking that ${path} is the release you meant.`, commands: [sh`sha256sum ${path}`] },
        }));
        continue;
      }
      findings.push(ctx.report("pass", "ok", { ...base, path, arch: arch ? ` (ELF ${arch})` : "" }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "none"));
    return { findings };
  },
});
