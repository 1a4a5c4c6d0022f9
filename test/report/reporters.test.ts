// Golden files for the three reporters, rendered from one hand-made run that holds every status.
// Regenerate after an intended change with UPDATE_GOLDEN=1 npx vitest run test/report, and review the diff.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { buildReport, exitCodeFor } from "../../src/report/report.js";
import { renderText } from "../../src/report/text.js";
import { renderJson } from "../../src/report/json.js";
import { renderJunit, escapeXml } from "../../src/report/junit.js";
import type { RunResult } from "../../src/runner.js";
import { ROOT } from "../support/cli.js";

const run: RunResult = {
  durationMs: 1234,
  targets: [
    {
      id: "config", kind: "config", label: "Configuration", status: "pass",
      checks: [{ id: "config.seal-layout", title: "Seal layout", status: "pass", advisory: false, durationMs: 1, findings: [{ status: "pass", code: "single-seal", message: "One enabled awskms seal (vault.hcl:12)." }] }],
    },
    {
      id: "awskms", kind: "seal", label: "awskms", sealType: "awskms", disabled: false, status: "fail",
      checks: [
        { id: "awskms.credentials", title: "Credential chain", status: "warn", advisory: false, durationMs: 12, findings: [
          { status: "warn", code: "several-sources", message: "Static keys in env and IRSA are both set; Vault uses the static keys.", details: { used: "env", tried: ["env", "web-identity"] } },
        ] },
        { id: "awskms.round-trip", title: "Round trip as Vault does it", status: "fail", advisory: false, durationMs: 40, findings: [
          { status: "fail", code: "decrypt-denied", cause: "permission_denied", message: "Decrypt was denied <with> \"quotes\" & an \u0007 control character.",
            details: { key: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
            fix: { summary: "Allow kms:Decrypt for the role.", commands: ["aws iam put-role-policy --role-name vault-unseal --policy-name vault-kms-unseal --policy-document file://policy.json"], docs: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html" } },
        ] },
        { id: "awskms.rotation", title: "Key rotation", status: "error", advisory: true, durationMs: 3, findings: [
          { status: "error", code: "no-permission", cause: "permission_denied", message: "Could not read the rotation status: kms:GetKeyRotationStatus is not allowed." },
        ] },
        { id: "awskms.deletion-protection", title: "Deletion protection", status: "skip", advisory: true, durationMs: 0, findings: [
          { status: "skip", code: "prerequisite-failed", message: "Not run: it needs awskms.key-policy (error)." },
        ] },
      ],
    },
  ],
};

const report = buildReport(run, { version: "0.0.0-test", startedAt: new Date("2026-01-02T03:04:05.000Z"), configFiles: ["vault.hcl"] });

function golden(name: string, actual: string) {
  const file = join(ROOT, "test/golden", name);
  // A missing golden file fails (run with UPDATE_GOLDEN=1 to write it on purpose).
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("reporters", () => {
  it("text: doctor screen, problems expanded, verdict last", () => golden("report.txt", renderText(report, { color: false, verbose: false })));
  it("text verbose shows passing details", () => golden("report-verbose.txt", renderText(report, { color: false, verbose: true })));
  it("json", () => golden("report.json", renderJson(report)));
  it("junit", () => golden("report.xml", renderJunit(report)));

  it("json output validates against the committed schema", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "schema/report.schema.json"), "utf8"));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(JSON.parse(renderJson(report))), JSON.stringify(validate.errors)).toBe(true);
  });

  it("junit: counts, one testcase per check with unique classname+name, forbidden XML characters stripped", () => {
    const xml = renderJunit(report);
    // (no `skipped` on <testsuites>: junit-10.xsd rejects it; see junit-xsd.test.ts)
    expect(xml).toMatch(/<testsuites name="vault-kms-doctor" tests="5" failures="1" errors="1" time=/);
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(new Set(cases).size).toBe(5);
    expect(xml).not.toMatch(/\u0007/);
    expect(xml).toContain("&lt;with&gt; &quot;quotes&quot; &amp;");
    expect(xml).toMatch(/<testcase classname="vault-kms-doctor.seal.awskms" name="awskms.credentials"[^>]*>\n\s*<system-out>/);
    expect(escapeXml("a\u0000b\uFFFEc")).toBe("abc");
  });

  it("rootCauses: the most specific cause first, in JSON, JUnit and first on the text screen", () => {
    const contextFinding = { status: "fail" as const, code: "policy-requires-context", cause: "encryption_context_mismatch", message: "Your policy requires an encryption context Vault will never send.",
      fix: { summary: "Drop the condition.", commands: ["cat > key-policy.json <<'EOF'\n{}\nEOF", "aws kms put-key-policy --key-id K --policy-name default --policy file://key-policy.json"] } };
    const withContext = buildReport({ ...run, targets: [{ ...run.targets[1]!, checks: [...run.targets[1]!.checks, { id: "awskms.round-trip-context", title: "Round trip with kms_context", status: "fail", advisory: false, durationMs: 1, findings: [contextFinding] }] }] },
      { version: "0", startedAt: new Date(0), configFiles: [] });
    expect(withContext.rootCauses!.map((rc) => rc.cause)).toEqual(["encryption_context_mismatch"]);
    expect(withContext.rootCauses![0]!.checks[0]).toBe("awskms.round-trip-context");
    expect(withContext.rootCauses![0]!.fix.commands).toEqual(contextFinding.fix.commands);
    // The denials are what a context condition causes: symptoms of it, without a second (contradictory) fix.
    expect(withContext.rootCauses![0]!.symptoms.filter((x) => x.status !== "warn").map((x) => [x.check, x.extraCommands])).toEqual([["awskms.round-trip", undefined], ["awskms.rotation", undefined]]);
    const text = renderText(withContext, { color: false, verbose: false });
    const body = text.split("\n").slice(2).join("\n");
    expect(body).toMatch(/^Start here: A policy requires an encryption context Vault never sends .*\n.*\n  Fix: Drop the condition\.\n    cat > key-policy.json <<'EOF'/);
    expect(renderJunit(withContext)).toContain('<property name="vault-kms-doctor.rootCause.1" value="encryption_context_mismatch: ');
  });

  it("rootCauses: present whenever the verdict is not ok, also when the only problem is `error`; absent on a pass", () => {
    const onlyError = buildReport({ ...run, targets: [{ ...run.targets[1]!, checks: [run.targets[1]!.checks[2]!] }] }, { version: "0", startedAt: new Date(0), configFiles: [] });
    expect(onlyError.verdict).toBe("problems");
    expect(onlyError.rootCauses!.map((rc) => rc.cause)).toEqual(["permission_denied"]);
    const pass = buildReport({ ...run, targets: [run.targets[0]!] }, { version: "0", startedAt: new Date(0), configFiles: [] });
    expect(pass.rootCauses).toBeUndefined();
  });

  it("exit code follows --fail-on; error counts as fail; advisory checks can be ignored by the gate", () => {
    expect(exitCodeFor(report, "fail")).toBe(1);
    const onlyAdvisoryError = buildReport({ ...run, targets: [{ ...run.targets[1]!, checks: [run.targets[1]!.checks[2]!] }] }, { version: "0", startedAt: new Date(0), configFiles: [] });
    expect(exitCodeFor(onlyAdvisoryError, "fail")).toBe(1);
    expect(exitCodeFor(onlyAdvisoryError, "fail", { ignoreAdvisory: true })).toBe(0);
    const onlyWarn = buildReport({ ...run, targets: [{ ...run.targets[1]!, checks: [run.targets[1]!.checks[0]!] }] }, { version: "0", startedAt: new Date(0), configFiles: [] });
    expect(exitCodeFor(onlyWarn, "fail")).toBe(0);
    expect(exitCodeFor(onlyWarn, "warn")).toBe(1);
  });
});
