// SARIF 2.1.0: validated against the schema the SARIF authors publish (Microsoft's @microsoft/jest-sarif ships
// sarif-2.1.0-rtm.5.json, the 2.1.0 schema in JSON Schema draft-04, hence ajv-draft-04), on a hand-made report holding
// every status and on a real run of the CLI against a config with typos (file:line provenance) and a closed KMS port.
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import ajvDraft04 from "ajv-draft-04";
import { buildReport } from "../../src/report/report.js";
import { renderSarif, PROJECT_URL } from "../../src/report/sarif.js";
import type { RunResult } from "../../src/runner.js";
import { ROOT, baseEnv, runCli } from "../support/cli.js";

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
// The published schema has a `pattern` that is not a valid unicode regexp (`…]?$`): compile patterns without the u flag.
// (a CommonJS module: its class is the `default` export of the module object)
const AjvDraft04 = ajvDraft04.default;
const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }).compile(schema);

function valid(text: string): any {
  const log = JSON.parse(text);
  expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  return log;
}

const run: RunResult = {
  durationMs: 1234,
  targets: [
    {
      id: "config", kind: "config", label: "Configuration", status: "pass",
      checks: [{ id: "config.seal-layout", title: "Seal layout", status: "pass", advisory: false, durationMs: 1, findings: [{ status: "pass", code: "single-seal", message: "One enabled awskms seal." }] }],
    },
    {
      id: "awskms", kind: "seal", label: "awskms", sealType: "awskms", status: "fail", location: { file: "vault/vault.hcl", line: 12 },
      checks: [
        { id: "config.ignored-keys", title: "Settings Vault ignores", status: "warn", advisory: false, durationMs: 1, findings: [
          { status: "warn", code: "ignored-key", message: "endpont is not a setting.", location: { file: "vault/vault.hcl", line: 15 } },
        ] },
        { id: "awskms.round-trip", title: "Round trip as Vault does it", status: "fail", advisory: false, durationMs: 40, findings: [
          { status: "fail", code: "decrypt-denied", cause: "permission_denied", message: "Decrypt was denied.",
            fix: { summary: "Allow kms:Decrypt for the role.", commands: ["aws iam put-role-policy --role-name vault-unseal"], docs: "https://docs.aws.amazon.com/kms/" } },
        ] },
        { id: "awskms.rotation", title: "Key rotation", status: "error", advisory: true, durationMs: 3, findings: [
          { status: "error", code: "no-permission", message: "Could not read the rotation status." },
        ] },
        { id: "awskms.deletion-protection", title: "Deletion protection", status: "skip", advisory: true, durationMs: 0, findings: [
          { status: "skip", code: "prerequisite-failed", message: "Not run." },
        ] },
      ],
    },
  ],
};
const report = buildReport(run, { version: "0.0.0-test", startedAt: new Date("2026-01-02T03:04:05.000Z"), configFiles: ["vault/vault.hcl"] });

describe("--format sarif", () => {
  const log = valid(renderSarif(report, { cwd: "/repo" }));
  const sarifRun = log.runs[0];

  it("names the tool with its version and docs URL, one rule per check with help", () => {
    expect(log.version).toBe("2.1.0");
    expect(sarifRun.tool.driver).toMatchObject({ name: "vault-kms-doctor", version: "0.0.0-test", informationUri: PROJECT_URL });
    const rules = sarifRun.tool.driver.rules as any[];
    expect(rules.map((r) => r.id)).toEqual(["config.seal-layout", "config.ignored-keys", "awskms.round-trip", "awskms.rotation", "awskms.deletion-protection"]);
    for (const r of rules) {
      expect(r.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.help.text).toContain(r.id);
      expect(r.helpUri).toMatch(/^https:\/\//);
    }
    expect(rules.find((r) => r.id === "awskms.rotation").defaultConfiguration.level).toBe("warning");
  });

  it("results: fail and error are errors, warn a warning; pass and skip emit none", () => {
    const results = sarifRun.results as any[];
    expect(results.map((r) => [r.ruleId, r.level, r.kind, r.properties.status, r.properties.code])).toEqual([
      ["config.ignored-keys", "warning", "fail", "warn", "ignored-key"],
      ["awskms.round-trip", "error", "fail", "fail", "decrypt-denied"],
      ["awskms.rotation", "error", "fail", "error", "no-permission"],
    ]);
    for (const r of results) expect(sarifRun.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(results[1].message.text).toContain("aws iam put-role-policy --role-name vault-unseal");
    expect(results[1].properties.cause).toBe("permission_denied");
  });

  it("locations: the finding's own file:line, else the seal block's, relative to %SRCROOT%", () => {
    const loc = (r: any) => r.locations[0].physicalLocation;
    const [ignored, denied] = sarifRun.results as any[];
    expect(loc(ignored)).toEqual({ artifactLocation: { uri: "vault/vault.hcl", uriBaseId: "%SRCROOT%" }, region: { startLine: 15 } });
    expect(loc(denied)).toEqual({ artifactLocation: { uri: "vault/vault.hcl", uriBaseId: "%SRCROOT%" }, region: { startLine: 12 } });
    expect(sarifRun.originalUriBaseIds["%SRCROOT%"].uri).toBe("file:///repo/");
  });

  it("a path outside the working folder becomes a file: URI; hostile characters are percent-encoded", () => {
    const odd = buildReport({ ...run, targets: [{ ...run.targets[1]!, location: { file: "/etc/vault.d/va ult#1.hcl", line: 3 } }] }, { version: "0", startedAt: new Date(0), configFiles: [] });
    const r = valid(renderSarif(odd, { cwd: "/repo" })).runs[0].results[1];
    expect(r.locations[0].physicalLocation.artifactLocation).toEqual({ uri: "file:///etc/vault.d/va%20ult%231.hcl" });
  });

  it("a real run: config typos point at their lines, exit 1, valid SARIF", async () => {
    const r = await runCli(["-c", "fixtures/configs/awskms-typos.hcl", "--format", "sarif", "--timeout", "5s"], { env: baseEnv() });
    expect(r.code).toBe(1);
    const live = valid(r.stdout).runs[0];
    const ignored = (live.results as any[]).filter((x) => x.ruleId === "config.ignored-keys");
    expect(ignored.map((x) => [x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine])).toEqual([
      ["fixtures/configs/awskms-typos.hcl", 3], ["fixtures/configs/awskms-typos.hcl", 4], ["fixtures/configs/awskms-typos.hcl", 5],
    ]);
    expect(live.originalUriBaseIds["%SRCROOT%"].uri).toBe(new URL(`file://${ROOT}`).href);
    expect(live.results.some((x: any) => x.ruleId === "config.required-keys" && x.level === "error")).toBe(true);
  });

  it("is listed among --format choices and a bad format is a usage error", async () => {
    const r = await runCli(["-c", "fixtures/configs/awskms.hcl", "--format", "sarif-x"], { env: baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("sarif");
  });
});
