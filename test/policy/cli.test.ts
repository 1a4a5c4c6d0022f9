// `vault-kms-doctor policy` as a user runs it: the built CLI in a child process, real files, real exit codes.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "../support/cli.js";


const ROLE = "arn:aws:iam::111122223333:role/vault-unseal";
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const fx = (name: string) => join(ROOT, "fixtures/policies", name);
const target = ["--role-arn", ROLE, "--key-arn", KEY];

const scratch = mkdtempSync(join(tmpdir(), "vkd-policy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const broken = join(scratch, "broken.json");
writeFileSync(broken, '{"Statement": [');

describe("vault-kms-doctor policy", () => {
  it("least privilege + root statement: exit 0 and a pass line", async () => {
    const r = await runCli(["policy", "-i", fx("identity-least-privilege.json"), "-k", fx("key-policy-default.json"), ...target]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[✓] kms:Decrypt");
    expect(r.stdout).toContain("✓ Vault's awskms seal may use this key with these policies.");
  });

  it("popular-guide trap with --kms-context: exit 1, the context request passes, Vault's does not, fix commands printed", async () => {
    const r = await runCli(["policy", "-i", fx("identity-guide-context.json"), "-k", fx("key-policy-default.json"), ...target, "--kms-context", "App=vault-prod"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("With --kms-context App=vault-prod (Vault never sends it)");
    expect(r.stdout).toContain("your policy requires an encryption context Vault will never send");
    expect(r.stdout).toContain("[context-required]");
    expect(r.stdout).toContain("aws iam put-role-policy --role-name vault-unseal --policy-name vault-kms-unseal --policy-document file://vault-kms-unseal.json");
    expect(r.stdout).toMatch(/✗ Vault cannot unseal with these policies: 3 of 3 actions denied/);
  });

  it("--format json: schemaVersion 1, findings, perAction and corrected documents", async () => {
    const r = await runCli(["policy", "-i", fx("identity-least-privilege.json"), "-k", fx("key-policy-forgets-role.json"), ...target, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(["denied", "key-policy-excludes-role", "no-root-statement"]);
    expect(report.perAction.map((v: { decision: string }) => v.decision)).toEqual(["implicitDeny", "implicitDeny", "implicitDeny"]);
    expect(report.corrected.identityPolicy.Statement[0].Resource).toBe(KEY);
    expect(report.corrected.keyPolicy.Statement.at(-1).Principal).toEqual({ AWS: ROLE });
  });

  it("--write-corrected writes both documents, and they pass", async () => {
    const dir = join(scratch, "fixed");
    const first = await runCli(["policy", "-i", fx("identity-explicit-deny.json"), "-k", fx("key-policy-explicit-deny.json"), ...target, "--write-corrected", dir]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`wrote ${join(dir, "vault-kms-unseal.json")}`);
    JSON.parse(readFileSync(join(dir, "key-policy.json"), "utf8"));
    const again = await runCli(["policy", "-i", join(dir, "vault-kms-unseal.json"), "-k", join(dir, "key-policy.json"), ...target]);
    expect(again.code).toBe(0);
  });

  it.each([
    ["a missing file", ["-i", "/nonexistent/p.json", ...target], "--identity-policy /nonexistent/p.json: no such file"],
    ["invalid JSON", ["-k", broken, ...target], `--key-policy ${broken}: invalid JSON (`],
    ["an assumed-role ARN", ["-i", fx("identity-least-privilege.json"), "--role-arn", "arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0", "--key-arn", KEY], "--role-arn: arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0 is an assumed-role session"],
    ["an alias ARN", ["-i", fx("identity-least-privilege.json"), "--role-arn", ROLE, "--key-arn", "arn:aws:kms:us-east-1:111122223333:alias/vault"], "is an alias ARN"],
    ["no documents", [...target], "nothing to lint"],
  ])("usage error on %s: exit 2, one line on stderr", async (_what, args, message) => {
    const r = await runCli(["policy", ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toContain(message);
  });

  it("names the file that is not JSON", async () => {
    const r = await runCli(["policy", "-i", join(ROOT, "package.json"), ...target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--identity-policy ${join(ROOT, "package.json")}: not a policy document: no "Statement"`);
  });

  it("--help shows examples", async () => {
    const r = await runCli(["policy", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--write-corrected");
    expect(r.stdout).toContain("Examples:");
  });
});
