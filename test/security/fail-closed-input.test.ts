// Fail closed (issue 16, items 1-3): a selection that matches nothing, a config with nothing to unseal with, and
// a stanza Vault itself refuses never open the gate. Vault's words are those `bao server` 2.6.2 printed for
// the same stanzas (helper/configutil/kms.go parseKMS).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseEnv, runCli } from "../support/cli.js";

const AWSKMS = "fixtures/configs/awskms.hcl";

function file(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "vkd-fc-")), name);
  writeFileSync(p, text);
  return p;
}

describe("a selection that matches nothing is a usage error, never a pass", () => {
  it.each([
    [["gate", "-c", AWSKMS, "--require", "awskms.roundtrip"], /--require awskms\.roundtrip: no check has this id; did you mean awskms\.round-trip\?/],
    [["-c", AWSKMS, "--only", "nope"], /--only nope: no check has this id/],
    [["-c", AWSKMS, "--only", ""], /--only '': an empty check id/],
    [["-c", AWSKMS, "--skip", "*"], /no check ran \(--skip \*\)/],
    [["gate", "-c", AWSKMS, "--skip", "*"], /no check ran \(--skip \*\)/],
    [["-c", AWSKMS, "--only", "gcpckms.*"], /no check ran \(--only gcpckms\.\*\)/],
  ])("%j", async (args, stderr) => {
    const r = await runCli([...args, "--timeout", "3s"], { env: baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(r.stdout).toBe("");
  });
});

describe("nothing to unseal with", () => {
  it("gate: an empty config fails with that message; --allow-shamir accepts Shamir on purpose", async () => {
    const empty = file("empty.hcl", "");
    const closed = await runCli(["gate", "-c", empty, "--format", "json"], { env: baseEnv() });
    expect(closed.code).toBe(1);
    const attempt = JSON.parse(closed.stdout.trim().split("\n")[0]!);
    expect(attempt.failing.map((b: { code: string }) => b.code)).toEqual(["no-auto-unseal"]);
    const open = await runCli(["gate", "-c", empty, "--allow-shamir"], { env: baseEnv() });
    expect(open.code).toBe(0);
  });

  it("gate: only a disabled seal (a migration back to Shamir) is nothing to wait for either", async () => {
    const cfg = file("old.hcl", 'seal "awskms" {\n  kms_key_id = "alias/x"\n  region = "us-east-1"\n  disabled = "true"\n}\n');
    const r = await runCli(["gate", "-c", cfg, "--format", "json", "--timeout", "3s", "--call-timeout", "1s"], { env: baseEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("no-auto-unseal");
  });

  it("check says it plainly: no seal block, Vault will use Shamir", async () => {
    const r = await runCli(["-c", file("empty.hcl", ""), "--format", "json"], { env: baseEnv() });
    const report = JSON.parse(r.stdout);
    expect(report.targets[0].checks[0].findings[0].code).toBe("no-seal");
  });
});

describe("stanzas Vault refuses are refused, with Vault's words and the file:line", () => {
  it.each([
    ["disabled = \"maybe\"", 'seal "awskms" {\n  kms_key_id = "k"\n  disabled = "maybe"\n}\n', 3,
      "error parsing 'seal': seal.awskms: cannot parse '' as bool: strconv.ParseBool: parsing \"maybe\": invalid syntax"],
    ["a seal that is a string", 'seal = "x"\n', 1, "error parsing 'seal': seal.seal: root: not an object type for map (*ast.LiteralType)"],
    ["a seal without its type label", 'seal {\n  region = "x"\n}\n', 1, 'Error configuring seal "seal": unknown wrapper: seal'],
    ["a list where a value belongs", 'seal "awskms" {\n  kms_key_id = ["a", "b"]\n}\n', 2,
      "error parsing 'seal': seal.awskms: '' expected type 'string', got unconvertible type '[]interface {}'"],
    ["a block where a value belongs", 'seal "awskms" {\n  kms_key_id = "k"\n  region = { a = 1 }\n}\n', 3,
      "error parsing 'seal': seal.awskms: '' expected type 'string', got unconvertible type '[]map[string]interface {}'"],
  ])("%s", async (_name, text, line, vaultSays) => {
    const cfg = file("vault.hcl", text);
    for (const cmd of [[], ["gate"]]) {
      const r = await runCli([...cmd, "-c", cfg], { env: baseEnv() });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${cfg}:${line}: `);
      expect(r.stderr).toContain(`Vault refuses to start: ${vaultSays}`);
    }
  });

  it("JSON {\"seal\": {\"awskms\": \"x\"}} is not silently dropped", async () => {
    const r = await runCli(["gate", "-c", file("vault.json", '{"seal":{"awskms":"x"}}')], { env: baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error configuring seal "seal": unknown wrapper: seal');
  });

  it("what Vault accepts is accepted: disabled = 1, \"\" and a second label", async () => {
    for (const text of [
      'seal "awskms" {\n  kms_key_id = "k"\n  region = "us-east-1"\n  disabled = 1\n}\n',
      'seal "awskms" "extra" {\n  kms_key_id = "k"\n  region = "us-east-1"\n}\n',
    ]) {
      const r = await runCli(["-c", file("vault.hcl", text), "--only", "config.*", "--format", "json"], { env: baseEnv() });
      expect(r.code, text).toBe(0);
    }
  });
});
