// awskms.irsa-trust: the IRSA role's trust policy against the pod's projected token. In irsa-sub-mismatch the web
// identity exchange fails and the scenario has no other credentials, so nothing can read the role: the check says
// so (error) with the claims and the get-role command. A variant adds what an operator often has at hand, an
// auditor profile in the shared credentials file, and then the mismatch itself is pointed at.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, type Scenario } from "../emulator/scenarios.js";
import { compareTrustPolicy, correctedTrustPolicy } from "../../src/aws/trust-policy.js";
import type { PolicyDocument } from "../../src/iam/types.js";
import { runAwsScenario } from "./aws-run.js";

const ID = "awskms.irsa-trust";
const ROLE_ARN = "arn:aws:iam::111122223333:role/vault-unseal";
const ISS = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const HOST = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
const TOKEN_SUB = "system:serviceaccount:aurora-oss:aurora-oss-vault";
const AUDITOR = { accessKeyId: "AKIAIOSFODNN7AUDITOR", secretAccessKey: "auditorSecretKeyEXAMPLEwJalrXUtnFEMI/K7MDENG" };

/** irsa-sub-mismatch plus an IAM user the operator may have a profile for, with or without iam:GetRole. */
function withAuditor(actions: string[]): { scenario: Scenario; env: Record<string, string> } {
  const s = loadScenario("irsa-sub-mismatch");
  s.aws!.users = [{ name: "kms-doctor-auditor", inlinePolicies: { read: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] } } }];
  s.aws!.accessKeys = [{ ...AUDITOR, principalArn: "arn:aws:iam::111122223333:user/kms-doctor-auditor" }];
  const dir = mkdtempSync(join(tmpdir(), "vkd-irsa-"));
  const file = join(dir, "credentials");
  writeFileSync(file, `[default]\naws_access_key_id = ${AUDITOR.accessKeyId}\naws_secret_access_key = ${AUDITOR.secretAccessKey}\n`, { mode: 0o600 });
  return { scenario: s, env: { AWS_SHARED_CREDENTIALS_FILE: file } };
}

describe("awskms.irsa-trust against the emulator", () => {
  it("irsa-healthy: the trust policy accepts the token", async () => {
    const run = await runAwsScenario("irsa-healthy");
    expect(run.codes[ID]).toEqual(["pass:trusted"]);
    expect(run.finding(ID, "trusted").args).toMatchObject({ role: "vault-unseal", sub: "system:serviceaccount:vault:vault", aud: "sts.amazonaws.com", iss: ISS, provider: PROVIDER });
  });

  it("healthy (static keys, no IRSA): skipped", async () => {
    const run = await runAwsScenario("healthy");
    expect(run.codes[ID]).toEqual(["skip:not-configured"]);
  });

  it("an unreadable token file: error, nothing to compare", async () => {
    const run = await runAwsScenario("irsa-healthy", { env: { AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/token" } });
    expect(run.codes[ID]).toEqual(["error:token-unreadable"]);
    expect(run.finding(ID, "token-unreadable").args).toEqual({ file: "/nonexistent/token", problem: expect.stringContaining("ENOENT") });
  });

  it("irsa-sub-mismatch: the exchange fails, no other credentials can read the role -> error with claims and the get-role command", async () => {
    const run = await runAwsScenario("irsa-sub-mismatch");
    expect(run.codes["awskms.credentials"]).toContain("fail:irsa-refused");
    expect(run.codes[ID]).toEqual(["error:no-reader"]);
    const f = run.finding(ID, "no-reader");
    expect(f.cause).toBe("web_identity_failed");
    expect(f.args).toMatchObject({ role: "vault-unseal", sub: TOKEN_SUB, aud: "sts.amazonaws.com", iss: ISS });
    expect(f.details).toMatchObject({ sub: TOKEN_SUB, iss: ISS, aud: ["sts.amazonaws.com"], role_arn: ROLE_ARN });
    expect(f.fix?.commands).toEqual(["aws iam get-role --role-name vault-unseal --query Role.AssumeRolePolicyDocument"]);
    // Nothing was asked of IAM: there was nobody to ask as.
    expect(run.emulator.audit().filter((a) => a.service === "iam")).toEqual([]);
  });

  it("irsa-sub-mismatch with an auditor profile: points at the sub the trust expects and prints the corrected trust policy", async () => {
    const { scenario, env } = withAuditor(["iam:GetRole"]);
    const run = await runAwsScenario(scenario, { env });
    expect(run.codes[ID]).toEqual(["fail:mismatch"]);
    const f = run.finding(ID, "mismatch");
    expect(f.args).toEqual({
      role: "vault-unseal",
      problems: `statement #1 expects sub system:serviceaccount:vault:vault (StringEquals), the token says ${TOKEN_SUB}`,
    });
    expect(f.cause).toBe("web_identity_failed");
    expect(f.details?.read_as).toBe("shared profile default");
    const commands = f.fix!.commands;
    expect(commands[0]).toContain(`"${HOST}:sub": "${TOKEN_SUB}"`);
    expect(commands[0]).toContain(`"Federated": "${PROVIDER}"`);
    expect(commands[1]).toBe("aws iam update-assume-role-policy --role-name vault-unseal --policy-document file://trust.json");
    expect(commands[2]).toContain("kubectl -n vault get serviceaccount vault");
    expect(run.emulator.audit().filter((a) => a.service === "iam").map((a) => `${a.operation}:${a.principal}:${a.result}`)).toEqual([
      "GetRole:arn:aws:iam::111122223333:user/kms-doctor-auditor:ok",
    ]);
  });

  it("irsa-sub-mismatch with a profile that may not GetRole: error with the permission, the command and the claims", async () => {
    const { scenario, env } = withAuditor(["kms:ListAliases"]);
    const run = await runAwsScenario(scenario, { env });
    expect(run.codes[ID]).toEqual(["error:get-role-denied"]);
    const f = run.finding(ID, "get-role-denied");
    expect(f.args).toMatchObject({ role: "vault-unseal", reader: "shared profile default", error: expect.stringMatching(/^AccessDenied: /), sub: TOKEN_SUB });
    expect(f.fix?.summary).toContain(`iam:GetRole on ${ROLE_ARN}`);
    expect(f.fix?.commands).toEqual(["aws iam get-role --role-name vault-unseal --query Role.AssumeRolePolicyDocument"]);
  });
});

describe("compareTrustPolicy", () => {
  const claims = { iss: ISS, sub: TOKEN_SUB, aud: ["sts.amazonaws.com"] };
  const trust = (condition: Record<string, Record<string, string | string[]>>, federated = PROVIDER): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Sid: "Irsa", Effect: "Allow", Principal: { Federated: federated }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
  });
  const cases: { name: string; doc: PolicyDocument; trusted: boolean; mismatches: string[] }[] = [
    { name: "StringEquals on the token's sub and aud", doc: trust({ StringEquals: { [`${HOST}:sub`]: TOKEN_SUB, [`${HOST}:aud`]: "sts.amazonaws.com" } }), trusted: true, mismatches: [] },
    { name: "StringLike with a namespace wildcard", doc: trust({ StringLike: { [`${HOST}:sub`]: "system:serviceaccount:aurora-oss:*" } }), trusted: true, mismatches: [] },
    { name: "another service account", doc: trust({ StringEquals: { [`${HOST}:sub`]: "system:serviceaccount:vault:vault" } }), trusted: false, mismatches: ["sub:system:serviceaccount:vault:vault"] },
    { name: "StringLike on another namespace", doc: trust({ StringLike: { [`${HOST}:sub`]: "system:serviceaccount:vault:*" } }), trusted: false, mismatches: ["sub:system:serviceaccount:vault:*"] },
    { name: "another audience", doc: trust({ StringEquals: { [`${HOST}:aud`]: "vault" } }), trusted: false, mismatches: ["aud:vault"] },
    {
      name: "another cluster's provider",
      doc: trust({ StringEquals: { "oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub": TOKEN_SUB } }, "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER"),
      trusted: false,
      mismatches: ["provider:arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER", "provider:oidc.eks.eu-west-1.amazonaws.com/id/OTHER"],
    },
  ];
  it.each(cases)("$name", ({ doc, trusted, mismatches }) => {
    const result = compareTrustPolicy(doc, claims, ROLE_ARN);
    expect(result.trusted).toBe(trusted);
    expect(result.mismatches.map((m) => `${m.field}:${m.expected.join("|")}`)).toEqual(mismatches);
    // The corrected policy always accepts the token.
    expect(compareTrustPolicy(correctedTrustPolicy(doc, claims, ROLE_ARN), claims, ROLE_ARN).trusted).toBe(true);
  });

  it("a Deny matching the token wins", () => {
    const doc = trust({ StringEquals: { [`${HOST}:sub`]: TOKEN_SUB } });
    (doc.Statement as any[]).push({ Sid: "NoAurora", Effect: "Deny", Principal: { Federated: PROVIDER }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { [`${HOST}:sub`]: "system:serviceaccount:aurora-oss:*" } } });
    expect(compareTrustPolicy(doc, claims, ROLE_ARN)).toMatchObject({ trusted: false, deniedBy: '"NoAurora"' });
  });
});
