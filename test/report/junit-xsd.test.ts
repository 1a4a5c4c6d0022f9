// JUnit for strict consumers: every report validates against junit-10.xsd (the schema Jenkins' xUnit plugin checks,
// vendored in test/report/schemas with its MIT notice) with xmllint from Debian's libxml2-utils (.ci/run installs it),
// and the XML fails exactly when the exit code does, `--fail-on warn` included.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReport, exitCodeFor } from "../../src/report/report.js";
import { renderJunit } from "../../src/report/junit.js";
import type { CheckResult, RunResult } from "../../src/runner.js";
import type { Status } from "../../src/model.js";
import { ROOT, baseEnv, runCli } from "../support/cli.js";

const XSD = join(ROOT, "test/report/schemas/junit-10.xsd");
const dir = mkdtempSync(join(tmpdir(), "vkd-junit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xmllintAvailable(): boolean {
  return spawnSync("xmllint", ["--version"], { stdio: "ignore" }).status === 0;
}

/** xmllint's verdict on one document: "" when valid, its complaints otherwise. */
function xsdErrors(xml: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 ? "" : `${r.stderr}`;
}

const check = (id: string, status: Status, advisory = false): CheckResult => ({
  id, title: `Title of ${id} <&>`, status, advisory, durationMs: 7,
  findings: [{ status, code: `${status}-code`, message: `${status}: "quoted" & <tagged> \u0001 text`, fix: status === "fail" ? { summary: "Fix it.", commands: ["echo 'x' > /dev/null"] } : undefined }],
});

const run = (checks: CheckResult[]): RunResult => ({
  durationMs: 1500,
  targets: [
    { id: "config", kind: "config", label: "Configuration", status: "pass", checks: [check("config.seal-layout", "pass")] },
    { id: "awskms", kind: "seal", label: "awskms", sealType: "awskms", status: "fail", checks },
  ],
});

const reports = {
  every: buildReport(run([check("awskms.credentials", "warn"), check("awskms.round-trip", "fail"), check("awskms.rotation", "error", true), check("awskms.deletion-protection", "skip", true)]), { version: "0", startedAt: new Date("2026-01-02T03:04:05Z"), configFiles: [] }),
  onlyWarn: buildReport(run([check("awskms.credentials", "warn"), check("awskms.rotation", "warn", true)]), { version: "0", startedAt: new Date("2026-01-02T03:04:05Z"), configFiles: [] }),
  clean: buildReport(run([check("awskms.round-trip", "pass"), check("awskms.deletion-protection", "skip", true)]), { version: "0", startedAt: new Date("2026-01-02T03:04:05Z"), configFiles: [] }),
};

const attr = (xml: string, el: string, name: string) => Number(new RegExp(`<${el} [^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1]);

describe("JUnit against junit-10.xsd", () => {
  it("xmllint is installed (Debian libxml2-utils; .ci/run installs it)", () => {
    expect(xmllintAvailable(), "install libxml2-utils").toBe(true);
  });

  for (const [name, report] of Object.entries(reports)) {
    for (const failOn of ["fail", "warn"] as const) {
      it(`${name}, --fail-on ${failOn}: valid, and failing exactly when the exit code is 1`, () => {
        const xml = renderJunit(report, { failOn });
        expect(xsdErrors(xml, `${name}-${failOn}.xml`)).toBe("");
        expect(xml).not.toMatch(/<testsuites [^>]*skipped=/);
        const failing = attr(xml, "testsuites", "failures") + attr(xml, "testsuites", "errors") > 0;
        expect(failing).toBe(exitCodeFor(report, failOn) === 1);
      });
    }
  }

  it("--fail-on warn turns each warning into a <failure> with its code", () => {
    const xml = renderJunit(reports.onlyWarn, { failOn: "warn" });
    expect(attr(xml, "testsuites", "failures")).toBe(2);
    expect(xml).toMatch(/name="awskms.credentials"[^>]*>\n\s*<failure message="warn: [^"]*" type="warn-code">/);
    expect(renderJunit(reports.onlyWarn, { failOn: "fail" })).not.toContain("<failure");
  });

  it("the committed golden file validates too", () => {
    const golden = readFileSync(join(ROOT, "test/golden/report.xml"), "utf8");
    expect(xsdErrors(golden, "golden.xml")).toBe("");
  });

  it("a real run with --fail-on warn: exit 1 and failures in the XML, valid", async () => {
    const out = join(dir, "live.xml");
    const r = await runCli(["-c", "fixtures/configs/awskms-typos.hcl", "--format", "junit", "--output", out, "--fail-on", "warn", "--only", "config.ignored-keys", "--timeout", "5s"], { env: baseEnv() });
    expect(r.code).toBe(1);
    const xml = readFileSync(out, "utf8");
    expect(xsdErrors(xml, "live-copy.xml")).toBe("");
    expect(attr(xml, "testsuites", "failures")).toBeGreaterThan(0);
    expect(xml).toMatch(/name="config.ignored-keys"[^>]*>\n\s*<failure [^>]*type="ignored-key-suggest"/);
  });
});
