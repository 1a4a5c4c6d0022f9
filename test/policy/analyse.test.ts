// The offline policy lint, fixture by fixture: the finding codes it reports, and that its corrected documents
// pass when analysed again. Each case names the AWS or Vault documentation its expectation rests on.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyseKmsPolicies, VAULT_KMS_ACTIONS } from "../../src/policy/analyse.js";
import { parsePolicyText, PolicyFileError, readPolicyFile } from "../../src/policy/policy-file.js";
import type { NamedPolicy } from "../../src/iam/types.js";

const FIXTURES = new URL("../../fixtures/policies/", import.meta.url);
const ROLE = "arn:aws:iam::111122223333:role/vault-unseal";
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const DOCS = {
  vault: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms",
  rootStatement: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam",
  context: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context",
  evaluation: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
  leastPrivilege: "https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html",
} as const;

function fixture(name: string): NamedPolicy {
  return readPolicyFile(new URL(name, FIXTURES).pathname);
}

interface Case {
  name: string;
  docs: string;
  identity: string[];
  key?: string;
  kmsContext?: Record<string, string>;
  /** Codes with their status, in report order. */
  expect: string[];
  denied: string[];
}

const cases: Case[] = [
  {
    name: "least-privilege identity policy + default key policy (root statement): Vault is allowed",
    docs: DOCS.rootStatement,
    identity: ["identity-least-privilege.json"],
    key: "key-policy-default.json",
    expect: ["pass:allowed"],
    denied: [],
  },
  {
    name: "popular guide: StringEquals kms:EncryptionContext:App on all three actions in the IAM policy",
    docs: DOCS.context,
    identity: ["identity-guide-context.json"],
    key: "key-policy-default.json",
    kmsContext: { App: "vault-prod" },
    expect: ["fail:denied", "fail:context-required"],
    denied: [...VAULT_KMS_ACTIONS],
  },
  {
    name: "popular guide: the context condition sits in the key policy statement naming the role",
    docs: DOCS.context,
    identity: ["identity-least-privilege.json"],
    key: "key-policy-guide-context.json",
    expect: ["fail:denied", "fail:context-required"],
    denied: [...VAULT_KMS_ACTIONS],
  },
  {
    name: "key policy forgets the role and has no root statement",
    docs: DOCS.rootStatement,
    identity: ["identity-least-privilege.json"],
    key: "key-policy-forgets-role.json",
    expect: ["fail:denied", "fail:key-policy-excludes-role", "fail:no-root-statement"],
    denied: [...VAULT_KMS_ACTIONS],
  },
  {
    name: "no identity policy allows while the key policy leaves it to IAM",
    docs: DOCS.rootStatement,
    identity: [],
    key: "key-policy-default.json",
    expect: ["fail:denied", "fail:identity-policy-missing"],
    denied: [...VAULT_KMS_ACTIONS],
  },
  {
    name: "neither document lets the role in",
    docs: DOCS.rootStatement,
    identity: [],
    key: "key-policy-forgets-role.json",
    expect: ["fail:denied", "fail:identity-policy-missing", "fail:key-policy-excludes-role", "fail:no-root-statement"],
    denied: [...VAULT_KMS_ACTIONS],
  },
  {
    name: "explicit deny of kms:Decrypt in the role's own policy",
    docs: DOCS.evaluation,
    identity: ["identity-explicit-deny.json"],
    key: "key-policy-default.json",
    expect: ["fail:denied", "fail:explicit-deny"],
    denied: ["kms:Decrypt"],
  },
  {
    name: "explicit deny of kms:Decrypt in the key policy for everyone but the admins",
    docs: DOCS.evaluation,
    identity: ["identity-least-privilege.json"],
    key: "key-policy-explicit-deny.json",
    expect: ["fail:denied", "fail:explicit-deny"],
    denied: ["kms:Decrypt"],
  },
  {
    name: "kms:* on every key in the IAM policy and a public key policy statement: allowed, with warnings",
    docs: DOCS.leastPrivilege,
    identity: ["identity-broad.json"],
    key: "key-policy-public.json",
    expect: ["warn:broad-grant", "warn:broad-grant", "pass:allowed"],
    denied: [],
  },
  {
    name: "no key policy given: the default key policy is assumed and said so",
    docs: DOCS.rootStatement,
    identity: ["identity-least-privilege.json"],
    expect: ["pass:allowed", "skip:key-policy-not-given"],
    denied: [],
  },
];

function analyse(c: Case) {
  return analyseKmsPolicies({
    identityPolicies: c.identity.map(fixture),
    keyPolicy: c.key ? fixture(c.key) : undefined,
    roleArn: ROLE,
    keyArn: KEY,
    kmsContext: c.kmsContext,
  });
}

describe("analyseKmsPolicies: fixtures -> findings", () => {
  it.each(cases)("$name ($docs)", (c) => {
    const analysis = analyse(c);
    expect(analysis.findings.map((f) => `${f.status}:${f.code}`)).toEqual(c.expect);
    expect(analysis.perAction.map((v) => v.action)).toEqual([...VAULT_KMS_ACTIONS]);
    expect(analysis.perAction.filter((v) => v.decision !== "allowed").map((v) => v.action)).toEqual(c.denied);
  });

  it.each(cases.filter((c) => c.denied.length > 0))("corrected documents pass when analysed again: $name", (c) => {
    const analysis = analyse(c);
    const again = analyseKmsPolicies({
      identityPolicies: [{ id: "vault-kms-unseal", document: analysis.correctedIdentityPolicy }],
      keyPolicy: analysis.correctedKeyPolicy ? { id: "key-policy", document: analysis.correctedKeyPolicy } : undefined,
      roleArn: ROLE,
      keyArn: KEY,
    });
    expect(again.perAction.map((v) => v.decision)).toEqual(["allowed", "allowed", "allowed"]);
    expect(again.findings.filter((f) => f.status === "fail")).toEqual([]);
    expect(again.findings.map((f) => f.code)).toContain("allowed");
  });

  it.each(cases.filter((c) => c.denied.length > 0))("every failing finding carries a fix with commands: $name", (c) => {
    for (const f of analyse(c).findings.filter((x) => x.status === "fail")) {
      expect(f.fix?.commands.length, f.code).toBeGreaterThan(0);
    }
  });
});

describe("the popular-guide trap", () => {
  const trap = cases[1]!;

  it("shows the context request passing while Vault's request is denied", () => {
    const analysis = analyse(trap);
    expect(analysis.perAction.map((v) => [v.action, v.decision, v.decisionWithContext])).toEqual([
      ["kms:DescribeKey", "implicitDeny", "implicitDeny"],
      ["kms:Encrypt", "implicitDeny", "allowed"],
      ["kms:Decrypt", "implicitDeny", "allowed"],
    ]);
    const finding = analysis.findings.find((f) => f.code === "context-required")!;
    // The same code and arguments as awskms.iam-simulation's finding for this trap (src/policy/policy-messages.ts).
    expect(finding.args).toEqual({
      actions: "kms:DescribeKey, kms:Encrypt and kms:Decrypt",
      verb: "are",
      keys: "kms:EncryptionContext:App",
      by: ' by statement "VaultKmsUnsealWithContext" in identity policy identity-guide-context',
      describeKey: " and DescribeKey never carries one",
      verdict: "; with App=vault-prod kms:Encrypt and kms:Decrypt would pass, but Vault's requests carry no context and are denied: your policy requires an encryption context Vault will never send",
    });
    expect(finding.details).toMatchObject({ statement: '"VaultKmsUnsealWithContext"', requires: ["kms:EncryptionContext:App"] });
    expect(analysis.perAction[1]!.missingContextValues).toEqual(["kms:EncryptionContext:App"]);
  });

  it("is only a warning when other statements let Vault in", () => {
    const analysis = analyseKmsPolicies({
      identityPolicies: [fixture("identity-least-privilege.json"), fixture("identity-guide-context.json")],
      keyPolicy: fixture("key-policy-default.json"),
      roleArn: ROLE,
      keyArn: KEY,
    });
    expect(analysis.findings.map((f) => `${f.status}:${f.code}`)).toEqual(["warn:context-required", "pass:allowed"]);
  });

  it("repairs the key policy by dropping only the context condition", () => {
    const analysis = analyse(cases[2]!);
    const statements = analysis.correctedKeyPolicy!.Statement as { Sid?: string; Condition?: unknown }[];
    expect(statements.map((s) => s.Sid)).toEqual(["Allow access for Key Administrators", "AllowVaultWithContext"]);
    expect(statements[1]!.Condition).toBeUndefined();
  });
});

describe("corrected documents", () => {
  it("identity policy: the three actions on the one key ARN", () => {
    expect(analyse(cases[4]!).correctedIdentityPolicy).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "VaultKmsUnseal", Effect: "Allow", Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: KEY }],
    });
  });

  it("key policy that forgets the role: the user's statements are kept and the role is added", () => {
    const doc = analyse(cases[3]!).correctedKeyPolicy!;
    expect(doc.Statement).toEqual([
      ...(fixture("key-policy-forgets-role.json").document.Statement as unknown[]),
      { Sid: "AllowVaultUnseal", Effect: "Allow", Principal: { AWS: ROLE }, Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: "*" },
    ]);
  });

  it("key policy deny: the role is exempted, the deny stays for everyone else", () => {
    const statements = analyse(cases[7]!).correctedKeyPolicy!.Statement as { Sid?: string; Condition?: unknown }[];
    expect(statements.find((s) => s.Sid === "OnlyAdminsMayDecrypt")!.Condition).toEqual({
      StringNotLike: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/key-admin" },
      ArnNotEquals: { "aws:PrincipalArn": ROLE },
    });
  });

  it("fix commands carry the real role name and key ARN", () => {
    const fix = analyse(cases[3]!).findings.find((f) => f.code === "denied")!.fix!;
    expect(fix.commands).toContain(
      `aws kms put-key-policy --key-id ${KEY} --policy-name default --policy file://key-policy.json --region us-east-1`,
    );
    const identityFix = analyse(cases[4]!).findings.find((f) => f.code === "identity-policy-missing")!.fix!;
    expect(identityFix.commands).toContain(
      "aws iam put-role-policy --role-name vault-unseal --policy-name vault-kms-unseal --policy-document file://vault-kms-unseal.json",
    );
    expect(identityFix.commands[0]).toMatch(/^cat > vault-kms-unseal\.json <<'EOF'\n\{/);
  });
});

describe("policy files", () => {
  const plain = readFileSync(new URL("identity-least-privilege.json", FIXTURES), "utf8");

  it.each([
    ["a bare document", "identity-least-privilege.json", "identity-least-privilege"],
    ["aws iam get-role-policy output", "get-role-policy-output.json", "vault-kms-unseal"],
    ["aws kms get-key-policy output (Policy is a JSON string)", "get-key-policy-output.json", "get-key-policy-output"],
    ["URL-encoded JSON, as the IAM query API returns it", "identity-url-encoded.txt", "identity-url-encoded"],
  ])("reads %s", (_shape, file, id) => {
    const policy = fixture(file);
    expect(policy.id).toBe(id);
    expect(Array.isArray(policy.document.Statement)).toBe(true);
  });

  it("reads get-role-policy output whose PolicyDocument is still URL-encoded", () => {
    const text = JSON.stringify({ PolicyName: "p", PolicyDocument: encodeURIComponent(plain) });
    expect(parsePolicyText(text, "x.json").document).toEqual(JSON.parse(plain));
  });

  it.each([
    ["invalid JSON", "{", /^bad\.json: invalid JSON \(/],
    ["no Statement", "{}", /^bad\.json: not a policy document: no "Statement"$/],
    ["a bad Effect", '{"Statement":{"Effect":"allow"}}', /^bad\.json: Statement 1: Effect must be "Allow" or "Deny", got "allow"$/],
    ["not an object", "[1]", /^bad\.json: not a policy document/],
  ])("rejects %s with a one-line error naming the file", (_what, text, message) => {
    expect(() => parsePolicyText(text, "bad.json")).toThrow(PolicyFileError);
    expect(() => parsePolicyText(text, "bad.json")).toThrow(message);
  });

  it("names a missing file", () => {
    expect(() => readPolicyFile("/nonexistent/p.json")).toThrow("/nonexistent/p.json: no such file");
  });
});
