// awskms.iam-simulation per emulator scenario, in-process through the real runner: the real IAM and KMS SDK clients
// over HTTP and SigV4. Each row: the scenario, the finding codes, the statement that decides, and the real values
// in the fix commands.
import { describe, expect, it } from "vitest";
import { CONTEXT_CONFIG, runAwsScenario } from "./aws-run.js";

const ID = "awskms.iam-simulation";
const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE_ARN = "arn:aws:iam::111122223333:role/vault-unseal";

interface Row {
  scenario: string;
  config?: string;
  kmsContext?: Record<string, string>;
  codes: string[];
  decisions?: string[];
  /** finding code -> arguments its message was built from (a subset) */
  args?: Record<string, Record<string, unknown>>;
  /** finding code -> strings its fix commands must contain */
  fixContains?: Record<string, string[]>;
}

const ACTIONS = "kms:DescribeKey, kms:Encrypt and kms:Decrypt";
const ALLOWED = ["kms:DescribeKey=allowed", "kms:Encrypt=allowed", "kms:Decrypt=allowed"];
const ALL_IMPLICIT = ["kms:DescribeKey=implicitDeny", "kms:Encrypt=implicitDeny", "kms:Decrypt=implicitDeny"];

const rows: Row[] = [
  {
    scenario: "healthy", codes: ["pass:allowed"], decisions: ALLOWED,
    args: { allowed: { role: "role vault-unseal", actions: ACTIONS, how: '"VaultKmsUnseal" in identity policy vault-kms-unseal, "Enable IAM User Permissions" in the key policy' } },
  },
  { scenario: "irsa-healthy", codes: ["pass:allowed"], decisions: ALLOWED },
  {
    scenario: "denied-by-identity-policy", codes: ["fail:denied", "fail:identity-policy-missing"], decisions: ALL_IMPLICIT,
    args: { "identity-policy-missing": { role: "role vault-unseal", actions: ACTIONS, key: KEY_ARN, keyPolicy: "the key policy lets IAM policies decide, so the grant belongs in an identity policy" } },
    fixContains: { "identity-policy-missing": ["aws iam put-role-policy --role-name vault-unseal --policy-name vault-kms-unseal --policy-document file://vault-kms-unseal.json", `"Resource": "${KEY_ARN}"`] },
  },
  {
    // vault-unseal may not read this key policy: KMS's own denial of GetKeyPolicy says the key policy does not enable IAM.
    scenario: "denied-by-key-policy", codes: ["fail:denied", "warn:key-policy-unreadable", "fail:key-policy-excludes-role-inferred"], decisions: ALL_IMPLICIT,
    args: { "key-policy-excludes-role-inferred": { role: "role vault-unseal", actions: ACTIONS } },
    fixContains: { "key-policy-excludes-role-inferred": [`"AWS": "${ROLE_ARN}"`, `aws kms put-key-policy --key-id ${KEY_ARN} --policy-name default --policy file://key-policy.json --region us-east-1`] },
  },
  {
    scenario: "explicit-deny", codes: ["fail:denied", "fail:explicit-deny"], decisions: ["kms:DescribeKey=allowed", "kms:Encrypt=allowed", "kms:Decrypt=explicitDeny"],
    args: { "explicit-deny": { statement: '"DenyDecryptOutsidePipeline"', where: "the key policy", actions: "kms:Decrypt", role: "role vault-unseal", contextNote: "" } },
    fixContains: { "explicit-deny": [`"ArnNotEquals": {\n          "aws:PrincipalArn": "${ROLE_ARN}"`, `aws kms put-key-policy --key-id ${KEY_ARN}`] },
  },
  {
    scenario: "context-required", config: CONTEXT_CONFIG, codes: ["fail:denied", "fail:context-required"], decisions: ALL_IMPLICIT,
    args: { "context-required": { actions: ACTIONS, keys: "kms:EncryptionContext:App", describeKey: " and DescribeKey never carries one", verdict: "; with App=vault-prod the simulation allows kms:Encrypt and kms:Decrypt" } },
    fixContains: { "context-required": ["aws iam put-role-policy --role-name vault-unseal", KEY_ARN] },
  },
  {
    scenario: "context-required", kmsContext: { App: "vault-prod" }, codes: ["fail:denied", "fail:context-required"], decisions: ALL_IMPLICIT,
    args: { "context-required": { verdict: "; with App=vault-prod the simulation allows kms:Encrypt and kms:Decrypt" } },
  },
  {
    // The caller may not simulate: `error` with the permission to add, never pass.
    scenario: "no-simulate-permission", codes: ["error:simulate-denied"],
    args: { "simulate-denied": { role: "role vault-unseal", error: expect.stringMatching(/^AccessDenied: .* iam:SimulatePrincipalPolicy /) } },
    fixContains: { "simulate-denied": ['"Action": "iam:SimulatePrincipalPolicy"', `"Resource": "${ROLE_ARN}"`] },
  },
];

describe("awskms.iam-simulation against the emulator", () => {
  it.each(rows)("$scenario $kmsContext", async (row) => {
    const run = await runAwsScenario(row.scenario, { config: row.config, kmsContext: row.kmsContext });
    expect(run.codes[ID]).toEqual(row.codes);
    const head = run.result.checks.find((c) => c.id === ID)!.findings[0]!;
    if (row.decisions) expect(head.details?.decisions).toEqual(row.decisions);
    for (const [code, args] of Object.entries(row.args ?? {})) expect(run.finding(ID, code).args).toMatchObject(args);
    for (const [code, needles] of Object.entries(row.fixContains ?? {})) {
      const commands = (run.finding(ID, code).fix?.commands ?? []).join("\n");
      for (const n of needles) expect(commands).toContain(n);
    }
  });

  it("makes two simulations with kms_context (Vault's context-free request, then with the context) and only read-only calls", async () => {
    const run = await runAwsScenario("context-required", { config: CONTEXT_CONFIG });
    const simulations = run.emulator.audit().filter((a) => a.operation === "SimulatePrincipalPolicy");
    expect(simulations).toHaveLength(2);
    const ops = new Set(run.emulator.audit().map((a) => a.operation));
    for (const op of ops) expect(op).toMatch(/^(Describe|Get|List|Simulate)|^(GetCallerIdentity)$/);
  });

  it("names the role by its ARN with path, recovered with iam:GetRole (an assumed-role ARN drops the path)", async () => {
    const { loadScenario } = await import("../emulator/scenarios.js");
    const s = loadScenario("healthy");
    s.aws!.roles![0]!.path = "/platform/";
    s.aws!.accessKeys![0]!.principalArn = "arn:aws:iam::111122223333:role/platform/vault-unseal";
    const run = await runAwsScenario(s);
    expect(run.codes[ID]).toEqual(["pass:allowed"]);
    expect(run.finding(ID, "allowed").details?.principal).toBe("arn:aws:iam::111122223333:role/platform/vault-unseal");
  });

  it("without iam:GetRole, says the path is assumed and still simulates", async () => {
    const { loadScenario } = await import("../emulator/scenarios.js");
    const s = loadScenario("healthy");
    const read = s.aws!.roles![0]!.inlinePolicies!["kms-doctor-read"]!;
    const stmt = (Array.isArray(read.Statement) ? read.Statement : [read.Statement])[0]!;
    stmt.Action = (stmt.Action as string[]).filter((a) => a !== "iam:GetRole");
    const run = await runAwsScenario(s);
    expect(run.codes[ID]).toEqual(["pass:allowed", "warn:role-path-unknown"]);
    expect(run.finding(ID, "role-path-unknown").args).toMatchObject({ role: "vault-unseal", roleArn: ROLE_ARN });
  });
});
