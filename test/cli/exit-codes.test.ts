// Every exit code, through the real CLI: 0 clean, 1 findings at --fail-on, 2 usage or unreadable config.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { runCli, ROOT, codesOf } from "../support/cli.js";

const cfg = (name: string) => join(ROOT, "fixtures/configs", name);
const CONFIG_ONLY = ["--only", "config.*"];

describe("exit codes", () => {
  it("0: nothing at or above --fail-on", async () => {
    const r = await runCli(["-c", cfg("awskms.hcl"), ...CONFIG_ONLY, "--skip", "config.seal-layout"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No problems found");
  });

  it("1: a failing finding", async () => {
    const r = await runCli(["-c", cfg("gcpckms-missing.hcl"), ...CONFIG_ONLY]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("'key_ring' not found for GCP CKMS wrapper configuration");
  });

  it("0 with warnings, 1 with --fail-on warn", async () => {
    const args = ["-c", cfg("awskms-kms-context.hcl"), "--only", "config.ignored-keys"];
    expect((await runCli(args)).code).toBe(0);
    expect((await runCli([...args, "--fail-on", "warn"])).code).toBe(1);
  });

  it.each([
    [["--bogus"], /Unknown argument: bogus/],
    [[], /nothing to check/],
    [["-c", "/nonexistent/vault.hcl"], /\/nonexistent\/vault.hcl: cannot read config: no such file or directory/],
    [["-c", cfg("broken-syntax.hcl")], /broken-syntax\.hcl:\d+:\d+: object expected closing RBRACE/],
    [["-c", cfg("awskms.hcl"), "--timeout", "0"], /--timeout must be greater than zero/],
    [["-c", cfg("awskms.hcl"), "--timeout", "-5s"], /Unknown arguments: 5, s/],
    [["-c", cfg("awskms.hcl"), "--timeout=-5s"], /--timeout "-5s": expected a duration/],
    [["-c", cfg("awskms.hcl"), "--timeout", "9999h"], /longer than 24h/],
    [["-c", cfg("awskms.hcl"), "--format", "yaml"], /Invalid values: Argument: format, Given: "yaml", Choices: "text", "json"/],
    [["-c", cfg("awskms.hcl"), "--format", "json", "--format", "junit"], /only one --format can go to stdout/],
    [["-c", cfg("awskms.hcl"), "--seal", "awskms"], /Arguments config and seal are mutually exclusive/],
    [["-c", cfg("awskms.hcl"), "--kms-context", "novalue"], /expected key=value/],
    [["-c", cfg("awskms.hcl"), "--fail-on", "sometimes"], /Invalid values/],
  ])("2: usage or config error %j, one line, no stack trace", async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });

  it("--help shows examples and exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("Exit codes:");
  });
});

describe("outputs", () => {
  it("migration directory -> pure JSON on stdout matching the schema, with file:line provenance", async () => {
    const dir = cfg("migration-awskms-to-gcpckms");
    const r = await runCli(["-c", dir, "--format", "json", ...CONFIG_ONLY]);
    const report = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync(join(ROOT, "schema/report.schema.json"), "utf8"));
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const codes = codesOf(report);
    expect(codes["config/config.seal-layout"]).toContain("migration");
    expect(codes["awskms-disabled/config.ignored-keys"]).toEqual(["kms-context-ignored"]);
    const finding = report.targets.find((t: any) => t.id === "awskms-disabled").checks.find((c: any) => c.id === "config.ignored-keys").findings[0];
    expect(finding.args).toMatchObject({ where: `${dir}/10-seal-old.hcl:4` });
  });

  it("text on stdout and JUnit to a file in one run", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "vkd-out-")), "doctor.xml");
    const r = await runCli(["-c", cfg("gcpckms-missing.hcl"), ...CONFIG_ONLY, "--format", "text", "--format", "junit", "--output", "-", "--output", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Required seal settings");
    const xml = readFileSync(out, "utf8");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(xml).toContain('<failure message="key_ring is not set');
  });

  it("--output to an unwritable path is a usage error", async () => {
    const r = await runCli(["-c", cfg("awskms.hcl"), ...CONFIG_ONLY, "--format", "json", "--output", "/nonexistent/dir/x.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--output \/nonexistent\/dir\/x.json: ENOENT/);
  });

  it("list-checks names every check", async () => {
    const r = await runCli(["list-checks", "--format", "json"]);
    const ids = JSON.parse(r.stdout).checks.map((c: any) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["config.seal-layout", "config.required-keys", "config.ignored-keys", "config.env-overrides", "config.indirection"]));
  });

  it("colour only when asked: FORCE_COLOR adds ANSI, NO_COLOR and --no-color remove it", async () => {
    const args = ["-c", cfg("awskms.hcl"), "--only", "config.required-keys"];
    const env = { PATH: process.env.PATH, FORCE_COLOR: "1" };
    expect((await runCli(args, { env })).stdout).toMatch(/\u001b\[/);
    expect((await runCli([...args, "--no-color"], { env })).stdout).not.toMatch(/\u001b\[/);
    expect((await runCli(args, { env: { PATH: process.env.PATH, NO_COLOR: "1" } })).stdout).not.toMatch(/\u001b\[/);
  });
});
