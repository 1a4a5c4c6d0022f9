// KMS's key-policy rule on top of the simulator's identity-side answer (src/aws/simulation.ts kmsVerdict): the key
// policy must name the role or enable IAM policies, and an explicit deny anywhere wins.
// https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { describe, expect, it } from "vitest";
import { kmsVerdict, type SimulatedAction } from "../../src/aws/simulation.js";
import type { Decision, PolicyStatement } from "../../src/iam/types.js";

const target = { roleArn: "arn:aws:iam::111122223333:role/vault-unseal", keyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" };
const ROOT: PolicyStatement = { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" };
const NAMES_ROLE: PolicyStatement = { Sid: "VaultRole", Effect: "Allow", Principal: { AWS: target.roleArn }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: "*" };
const ADMIN_ONLY: PolicyStatement = { Sid: "Admins", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/kms-key-admin" }, Action: "kms:*", Resource: "*" };
const DENY_DECRYPT: PolicyStatement = { Sid: "NoDecrypt", Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*" };

const sim = (decision: Decision): SimulatedAction => ({ action: "kms:Decrypt", decision, matched: [], missingContextValues: [] });
const keyPolicy = (...Statement: PolicyStatement[]) => ({ id: "key policy", document: { Version: "2012-10-17", Statement } });

const cases: { name: string; simulator: Decision; statements?: PolicyStatement[]; decision: Decision; excludes: boolean }[] = [
  { name: "IAM allows, key policy enables IAM", simulator: "allowed", statements: [ROOT], decision: "allowed", excludes: false },
  { name: "IAM allows, key policy forgets the role and the account", simulator: "allowed", statements: [ADMIN_ONLY], decision: "implicitDeny", excludes: true },
  { name: "no IAM grant, key policy names the role", simulator: "implicitDeny", statements: [NAMES_ROLE], decision: "allowed", excludes: false },
  { name: "no IAM grant, key policy enables IAM", simulator: "implicitDeny", statements: [ROOT], decision: "implicitDeny", excludes: false },
  { name: "IAM allows, key policy denies", simulator: "allowed", statements: [ROOT, DENY_DECRYPT], decision: "explicitDeny", excludes: false },
  { name: "IAM denies explicitly, key policy names the role", simulator: "explicitDeny", statements: [NAMES_ROLE], decision: "explicitDeny", excludes: false },
  { name: "key policy unknown: the simulator's answer stands", simulator: "allowed", decision: "allowed", excludes: false },
];

describe("kmsVerdict", () => {
  it.each(cases)("$name", ({ simulator, statements, decision, excludes }) => {
    const v = kmsVerdict(sim(simulator), statements ? keyPolicy(...statements) : undefined, target);
    expect(v.decision).toBe(decision);
    expect(v.keyPolicyExcludes).toBe(excludes);
  });

  it("names the key policy statement that decided", () => {
    expect(kmsVerdict(sim("allowed"), keyPolicy(ROOT, DENY_DECRYPT), target).keyPolicyStatements.map((m) => m.sid)).toEqual(["NoDecrypt"]);
    expect(kmsVerdict(sim("allowed"), keyPolicy(ADMIN_ONLY, ROOT), target).keyPolicyStatements.map((m) => m.sid)).toEqual(["Enable IAM User Permissions"]);
  });
});
