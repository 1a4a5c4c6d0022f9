// The built CLI (dist/, as installed) on a pkcs11 seal: the probe child is the compiled probe-child.js, the
// PIN never reaches stdout or stderr, and without the optional binding pkcs11js the library check is an
// error that names the package (the doctor installed without it, with every other dependency present).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT, baseEnv, runCli } from "../support/cli.js";
import { aesKey, newToken } from "../support/softhsm.js";

type Report = { targets: { checks: { id: string; findings: { status: string; code: string; args?: Record<string, unknown> }[] }[] }[] };
const codes = (r: Report) => Object.fromEntries(r.targets.flatMap((t) => t.checks).filter((c) => c.id.startsWith("pkcs11.")).map((c) => [c.id, c.findings.map((f) => `${f.status}:${f.code}`)]));

function setup() {
  const t = newToken("vault-hsm", "cli-PIN-4321");
  aesKey(t, "vault-key", "01");
  const hcl = join(t.dir, "vault.hcl");
  writeFileSync(hcl, `seal "pkcs11" {\n  lib = "${t.lib}"\n  token_label = "vault-hsm"\n  key_label = "vault-key"\n}\n`);
  return { t, hcl, env: baseEnv({ ...t.env, VAULT_HSM_PIN: t.pin } as Record<string, string>) };
}

describe("vault-kms-doctor on a pkcs11 seal (built CLI)", () => {
  it("passes against SoftHSM2 and never prints the PIN", async () => {
    const { hcl, env } = setup();
    const r = await runCli(["--config", hcl, "--format", "json"], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(codes(report)["pkcs11.round-trip"]).toEqual(["pass:ok"]);
    expect(r.stdout + r.stderr).not.toContain("cli-PIN-4321");
  }, 90_000);

  it("without the optional binding: pkcs11.library is an error naming pkcs11js, and the run does not pass", async () => {
    const { hcl, env } = setup();
    const copy = mkdtempSync(join(tmpdir(), "vkd-nobinding-"));
    cpSync(join(ROOT, "dist"), join(copy, "dist"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(copy, "package.json"));
    mkdirSync(join(copy, "node_modules"));
    for (const name of readdirSync(join(ROOT, "node_modules"))) {
      if (name !== "pkcs11js" && name !== ".bin") symlinkSync(join(ROOT, "node_modules", name), join(copy, "node_modules", name));
    }
    const cli = CLI.replace(ROOT, `${copy}/`);
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, [cli, "--config", hcl, "--format", "json"], { env, encoding: "utf8", timeout: 60_000 });
    const report = JSON.parse(r.stdout) as Report;
    expect(codes(report)["pkcs11.library"]).toEqual(["error:binding-missing"]);
    const f = report.targets.flatMap((t) => t.checks).find((c) => c.id === "pkcs11.library")!.findings[0]!;
    expect(f.args).toMatchObject({ package: "pkcs11js", version: "2.1.7" });
    expect(r.status).not.toBe(0);
    // Installed without its build step (npm ci --ignore-scripts): present but unusable.
    cpSync(join(ROOT, "node_modules", "pkcs11js"), join(copy, "node_modules", "pkcs11js"), { recursive: true, filter: (src) => !src.includes(`${join("pkcs11js", "build")}`) });
    const unbuilt = spawnSync(process.execPath, [cli, "--config", hcl, "--format", "json"], { env, encoding: "utf8", timeout: 60_000 });
    expect(codes(JSON.parse(unbuilt.stdout) as Report)["pkcs11.library"]).toEqual(["error:binding-unusable"]);
  }, 90_000);
});
