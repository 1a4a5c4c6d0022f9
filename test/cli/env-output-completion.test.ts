// Issue 17, item 10: defaults from VAULT_KMS_DOCTOR_* (like Trivy's TRIVY_*), `-f` on list-checks, `--output` on
// explain, policy and list-checks, shell completion, and --help that wraps between words. Through the real CLI.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vkd-cli-out-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROLE = "arn:aws:iam::111122223333:role/vault-unseal";
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const policyArgs = ["policy", "-i", "fixtures/policies/identity-least-privilege.json", "--role-arn", ROLE, "--key-arn", KEY];

describe("defaults from VAULT_KMS_DOCTOR_*", () => {
  it("an environment default applies when the flag is absent", async () => {
    const r = await runCli(["list-checks"], { env: baseEnv({ VAULT_KMS_DOCTOR_FORMAT: "json" }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).checks.length).toBeGreaterThan(0);
  });

  it("a flag on the command line overrides the environment's default (long, short and --no- forms)", async () => {
    const long = await runCli(["list-checks", "--format", "text"], { env: baseEnv({ VAULT_KMS_DOCTOR_FORMAT: "json" }) });
    const short = await runCli(["list-checks", "-f", "text"], { env: baseEnv({ VAULT_KMS_DOCTOR_FORMAT: "json" }) });
    for (const r of [long, short]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^config\.seal-layout\s/m);
    }
    // A bad value in a variable the command line overrides is never read.
    const overridden = await runCli(["list-checks", "-f", "json"], { env: baseEnv({ VAULT_KMS_DOCTOR_FORMAT: "xml" }) });
    expect(overridden.code).toBe(0);
  });

  it("a bad value is a usage error (exit 2) that names the variable", async () => {
    const choice = await runCli(["list-checks"], { env: baseEnv({ VAULT_KMS_DOCTOR_FORMAT: "xml" }) });
    expect(choice.code).toBe(2);
    expect(choice.stdout).toBe("");
    expect(choice.stderr).toContain("VAULT_KMS_DOCTOR_FORMAT");
    const bool = await runCli(["-c", "fixtures/configs/awskms.hcl"], { env: baseEnv({ VAULT_KMS_DOCTOR_VERBOSE: "maybe" }) });
    expect(bool.code).toBe(2);
    expect(bool.stderr).toContain("VAULT_KMS_DOCTOR_VERBOSE");
    // Checked by the command itself after parsing (a duration): the message still names the variable.
    const duration = await runCli(["-c", "fixtures/configs/awskms.hcl"], { env: baseEnv({ VAULT_KMS_DOCTOR_TIMEOUT: "soon" }) });
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain("VAULT_KMS_DOCTOR_TIMEOUT");
    // A conflict yargs reports with the bare option name: still named.
    const conflict = await runCli(["--seal", "awskms"], { env: baseEnv({ VAULT_KMS_DOCTOR_CONFIG: "fixtures/configs/awskms.hcl" }) });
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain("VAULT_KMS_DOCTOR_CONFIG");
  });

  it("variables that name no option of the command are not arguments (the doctor's own endpoint override stays usable)", async () => {
    const r = await runCli(["list-checks", "-f", "json"], { env: baseEnv({ VAULT_KMS_DOCTOR_GCP_KMS_ENDPOINT: "127.0.0.1:9", VAULT_KMS_DOCTOR_NOT_AN_OPTION: "x" }) });
    expect(r.code).toBe(0);
  });

  it("--help documents the variables", async () => {
    const r = await runCli(["--help"]);
    expect(r.stdout).toContain("VAULT_KMS_DOCTOR_<OPTION>");
  });
});

describe("--output on explain, policy and list-checks", () => {
  it("writes the report to FILE and nothing to stdout", async () => {
    const cases: [string, string[]][] = [
      ["explain.json", ["explain", "-f", "json", "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/vault/i-0abc is not authorized to perform: kms:Decrypt on resource: " + KEY]],
      ["policy.json", [...policyArgs, "--format", "json"]],
      ["checks.json", ["list-checks", "-f", "json"]],
    ];
    for (const [name, args] of cases) {
      const file = join(dir, name);
      const r = await runCli([...args, "--output", file]);
      expect(r.stdout).toBe("");
      expect([0, 1]).toContain(r.code);
      expect(JSON.parse(readFileSync(file, "utf8"))).toBeTypeOf("object");
    }
  });

  it("an unwritable FILE is a usage error", async () => {
    const r = await runCli(["list-checks", "-o", join(dir, "missing", "x.txt")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--output");
  });
});

describe("shell completion", () => {
  it("prints a bash or a zsh script that asks the CLI for completions", async () => {
    const bash = await runCli(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -o bashdefault -o default -F _vault-kms-doctor_yargs_completions vault-kms-doctor");
    const zsh = await runCli(["completion", "zsh"]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef vault-kms-doctor/);
    const fish = await runCli(["completion", "fish"]);
    expect(fish.code).toBe(2);
  });

  it("completes command names and a command's options", async () => {
    const cmds = await runCli(["--get-yargs-completions", "vault-kms-doctor", "li"]);
    expect(cmds.stdout.split("\n")).toContain("list-checks");
    const opts = await runCli(["--get-yargs-completions", "vault-kms-doctor", "explain", "--"]);
    expect(opts.stdout.split("\n")).toEqual(expect.arrayContaining(["--file", "--format", "--output"]));
  });
});

describe("--help layout (yargs 18)", () => {
  it("the top-level and every command's --help end with the docs URL from package.json, once", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { homepage: string };
    for (const args of [["--help"], ["check", "--help"], ["gate", "--help"], ["policy", "--help"], ["list-checks", "--help"]]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout.trimEnd().split("\n").at(-1), args.join(" ")).toBe(`Docs: ${pkg.homepage}`);
      expect(r.stdout.match(/Docs: /g), args.join(" ")).toHaveLength(1);
    }
  });

  it("wraps descriptions between words, never inside one", async () => {
    const r = await runCli(["--help"], { env: baseEnv({ COLUMNS: "100" }) });
    expect(r.code).toBe(0);
    // yargs 17 as an ES module broke lines mid-word ("th\ne command", "insecure" as "in\nsecure").
    const lines = r.stdout.split("\n");
    for (let i = 1; i < lines.length; i++) {
      const prev = lines[i - 1]!;
      const cur = lines[i]!.trimStart();
      if (/[a-z]$/.test(prev) && /^[a-z]/.test(cur) && /^ {20,}/.test(lines[i]!)) {
        // a continuation line: the previous one must have ended at a word boundary, i.e. the two halves are not one word
        const word = `${prev.split(/\s/).at(-1)}${cur.split(/\s/)[0]}`;
        expect(r.stdout, `"${word}" split across lines`).not.toContain(word);
      }
    }
    expect(r.stdout).toContain("the command that fixes it");
  });
});
