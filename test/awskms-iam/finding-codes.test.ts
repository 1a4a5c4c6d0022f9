// The awskms findings the scenario tables do not reach, each staged against the AWS emulator (a scenario file
// edited in the test, or an environment / seal stanza that causes it) and run in-process through the real runner:
// the real SDK over HTTP and SigV4. Each asserts the finding's code and its arguments, not the wording.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BAD_STATIC_CREDS } from "../../src/aws/credential-sources.js";
import { loadScenario, type Scenario } from "../emulator/scenarios.js";
import type { PolicyDocument, PolicyStatement } from "../../src/iam/types.js";
import { runAwsScenario } from "./aws-run.js";
import regionKey from "../../checks/awskms/region-key.js";
import credentials from "../../checks/awskms/credentials.js";
import identity from "../../checks/awskms/identity.js";
import keyState from "../../checks/awskms/key-state.js";
import roundTrip from "../../checks/awskms/round-trip.js";
import roundTripContext from "../../checks/awskms/round-trip-context.js";
import deletionProtection from "../../checks/awskms/deletion-protection.js";
import iamSimulation from "../../checks/awskms/iam-simulation.js";
import irsaTrust from "../../checks/awskms/irsa-trust.js";

const ACCOUNT = "111122223333";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/vault-unseal`;
const CREDS = [regionKey, credentials];
const TRIP = [regionKey, credentials, identity, keyState, roundTrip, roundTripContext];

/** A scenario file, edited for one test. */
function edited(name: string, edit: (s: NonNullable<Scenario["aws"]>) => void): Scenario {
  const s = structuredClone(loadScenario(name));
  edit(s.aws!);
  return s;
}

/** A Vault config holding one awskms stanza with the given extra lines. */
function config(extra: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "vkd-awskms-")), "vault.hcl");
  writeFileSync(file, `seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n${extra}\n}\n`);
  return file;
}

function statements(doc: PolicyDocument): PolicyStatement[] {
  if (!Array.isArray(doc.Statement)) doc.Statement = [doc.Statement];
  return doc.Statement;
}

/** Static keys of a role session, added to the scenario and handed to the client through the environment. */
function staticSession(s: NonNullable<Scenario["aws"]>, role: string, sessionName: string): Record<string, string> {
  const key = { accessKeyId: "ASIAIOSFODNN7STATIC1", secretAccessKey: "c3RhdGljLXNlc3Npb24tc2VjcmV0LWZvci10ZXN0cw", sessionToken: "IQoJb3JpZ2luX2VjEXAMPLEstaticSessionToken" };
  s.accessKeys = [...(s.accessKeys ?? []), { ...key, principalArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, sessionName }];
  return { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_SESSION_TOKEN: key.sessionToken };
}

function addNodeRole(s: NonNullable<Scenario["aws"]>): void {
  s.roles = [...(s.roles ?? []), { name: "eks-node", trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] } }];
}

describe("awskms.credentials", () => {
  it("an access key without its secret: bad-static, with Vault's own error", async () => {
    const run = await runAwsScenario("healthy", { checks: CREDS, env: { AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined } });
    const f = run.finding("awskms.credentials", "bad-static");
    expect(f.status).toBe("fail");
    expect(f.args).toEqual({ detail: "access_key is set (env AWS_ACCESS_KEY_ID) but secret_key is not", vaultError: BAD_STATIC_CREDS });
  });

  it("an IRSA token file that is not there: irsa-token-unreadable", async () => {
    const run = await runAwsScenario("irsa-healthy", { checks: CREDS, env: { AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/vkd/token" } });
    const f = run.finding("awskms.credentials", "irsa-token-unreadable");
    expect(f.status).toBe("fail");
    expect(f.args).toMatchObject({ file: "/nonexistent/vkd/token" });
    expect(String(f.args!.error)).toContain("ENOENT");
  });

  it("an IRSA token file that holds no JWT: irsa-token-invalid", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vkd-token-")), "token");
    writeFileSync(file, "not-a-jwt\n");
    const run = await runAwsScenario("irsa-healthy", { checks: CREDS, env: { AWS_WEB_IDENTITY_TOKEN_FILE: file } });
    expect(run.finding("awskms.credentials", "irsa-token-invalid").args).toEqual({ file });
  });

  it("a token projected for another audience: irsa-audience", async () => {
    const run = await runAwsScenario(edited("irsa-healthy", (s) => { s.webIdentity!.token.aud = "vault"; }), { checks: CREDS });
    const f = run.finding("awskms.credentials", "irsa-audience");
    expect(f.status).toBe("fail");
    expect(f.args).toEqual({ aud: "vault" });
  });

  it("a token that expires within the run's window: irsa-expiring", async () => {
    const run = await runAwsScenario(edited("irsa-healthy", (s) => { s.webIdentity!.token.expiresInSeconds = 10; }), { checks: CREDS });
    const f = run.finding("awskms.credentials", "irsa-expiring");
    expect(f.status).toBe("warn");
    expect(f.args!.file).toBe(run.emulator.env.AWS_WEB_IDENTITY_TOKEN_FILE);
    expect(new Date(String(f.args!.exp)).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("an EC2 instance without an instance profile: imds-no-role", async () => {
    const run = await runAwsScenario(edited("imds-healthy", (s) => { s.imds!.noInstanceProfile = true; }), { checks: CREDS, env: { AWS_EC2_METADATA_DISABLED: undefined } });
    const f = run.finding("awskms.credentials", "imds-no-role");
    expect(f.status).toBe("fail");
    expect(f.args).toEqual({ endpoint: run.emulator.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!.replace(/\/+$/, ""), error: "no instance profile role (HTTP 404 from iam/security-credentials/)" });
  });
});

describe("awskms.identity", () => {
  it("the caller and its account: caller", async () => {
    const run = await runAwsScenario("healthy", { checks: [...CREDS, identity] });
    expect(run.finding("awskms.identity", "caller").args).toEqual({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/vault-unseal/vault-0`, account: ACCOUNT });
  });

  it("IRSA configured, but static keys of the node's instance role come first: node-role-not-irsa", async () => {
    let env: Record<string, string> = {};
    const scenario = edited("irsa-healthy", (s) => { addNodeRole(s); env = staticSession(s, "eks-node", "i-0a1b2c3d4e5f67890"); });
    const run = await runAwsScenario(scenario, { checks: [...CREDS, identity], env });
    const f = run.finding("awskms.identity", "node-role-not-irsa");
    expect(f.status).toBe("fail");
    expect(f.args).toEqual({ irsaRole: ROLE_ARN, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/eks-node/i-0a1b2c3d4e5f67890` });
  });

  it("IRSA configured, but the caller is a session of another role: irsa-role-mismatch", async () => {
    let env: Record<string, string> = {};
    const scenario = edited("irsa-healthy", (s) => { addNodeRole(s); env = staticSession(s, "eks-node", "ci-runner"); });
    const run = await runAwsScenario(scenario, { checks: [...CREDS, identity], env });
    expect(run.finding("awskms.identity", "irsa-role-mismatch").args).toEqual({ irsaRole: ROLE_ARN, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/eks-node/ci-runner` });
  });
});

describe("awskms.key-state", () => {
  it.each([
    ["PendingImport", "pending-import", "fail", (k: any) => { k.keyState = "PendingImport"; k.origin = "EXTERNAL"; }],
    ["Unavailable (a disconnected custom key store)", "other-state", "fail", (k: any) => { k.keyState = "Unavailable"; }],
    ["AWS managed", "aws-managed", "warn", (k: any) => { k.keyManager = "AWS"; }],
  ])("%s: %s", async (_what, code, status, edit) => {
    const run = await runAwsScenario(edited("healthy", (s) => edit(s.keys[0])), { checks: [...CREDS, keyState] });
    const f = run.finding("awskms.key-state", code);
    expect(f.status).toBe(status);
    expect(f.args).toMatchObject({ arn: KEY_ARN, spec: "SYMMETRIC_DEFAULT", usage: "ENCRYPT_DECRYPT" });
    if (code === "other-state") expect(f.args!.state).toBe("Unavailable");
    if (code === "aws-managed") expect(f.args!.manager).toBe("AWS");
  });

  it("a multi-Region key: multi-region (pass), with its mrk- ARN", async () => {
    const mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
    // The key id changes everywhere the scenario names it (key, identity policy).
    const scenario: Scenario = JSON.parse(JSON.stringify(loadScenario("healthy")).replaceAll("1234abcd-12ab-34cd-56ef-1234567890ab", mrk));
    scenario.aws!.keys[0]!.multiRegion = true;
    const run = await runAwsScenario(scenario, { checks: [...CREDS, keyState] });
    const f = run.finding("awskms.key-state", "multi-region");
    expect(f.status).toBe("pass");
    expect(f.args!.arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${mrk}`);
  });

  it("DescribeKey denied with key_not_required = true: denied-not-required (warn)", async () => {
    const run = await runAwsScenario("denied-by-identity-policy", { checks: [...CREDS, keyState], config: config('  key_not_required = "true"') });
    const f = run.finding("awskms.key-state", "denied-not-required");
    expect(f.status).toBe("warn");
    expect(String(f.args!.error)).toMatch(/^AccessDeniedException: .*kms:DescribeKey/);
  });
});

describe("awskms.deletion-protection", () => {
  const checks = [...CREDS, keyState, deletionProtection];

  it("a key policy that denies deletion and disabling: protected", async () => {
    const scenario = edited("healthy", (s) => {
      statements(s.keys[0]!.policy!).push({ Sid: "DenyVaultKeyDeletion", Effect: "Deny", Principal: { AWS: "*" }, Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey"], Resource: "*" });
    });
    const f = (await runAwsScenario(scenario, { checks })).finding("awskms.deletion-protection", "protected");
    expect([f.status, f.args]).toEqual(["pass", { actions: "kms:ScheduleKeyDeletion and kms:DisableKey" }]);
  });

  it("a key policy with no Deny statement: unprotected", async () => {
    const f = (await runAwsScenario("irsa-healthy", { checks })).finding("awskms.deletion-protection", "unprotected");
    expect([f.status, f.args]).toEqual(["warn", { actions: "kms:ScheduleKeyDeletion and kms:DisableKey" }]);
  });

  it("GetKeyPolicy denied: unreadable (error, never pass)", async () => {
    const f = (await runAwsScenario("no-simulate-permission", { checks })).finding("awskms.deletion-protection", "unreadable");
    expect(f.status).toBe("error");
    expect(String(f.args!.error)).toMatch(/^AccessDeniedException: .*kms:GetKeyPolicy/);
  });
});

describe("awskms.round-trip and awskms.round-trip-context", () => {
  it("Decrypt answering 500 KMSInternalException: decrypt-failed", async () => {
    const scenario = edited("healthy", (s) => { s.faults = [{ kind: "http-error", service: "kms", operation: "Decrypt" }]; });
    const f = (await runAwsScenario(scenario, { checks: TRIP })).finding("awskms.round-trip", "decrypt-failed");
    expect(f.status).toBe("fail");
    expect(String(f.args!.error)).toMatch(/^KMSInternalException: /);
  });

  it("no context anywhere: no-context (skip)", async () => {
    const run = await runAwsScenario("healthy", { checks: TRIP });
    expect(run.codes["awskms.round-trip-context"]).toEqual(["skip:no-context"]);
  });

  it("kms_context that is not key=value pairs: invalid-context, in both checks that read it", async () => {
    const run = await runAwsScenario("healthy", { checks: [...TRIP, iamSimulation], config: config('  kms_context = "vault-prod"') });
    expect(run.finding("awskms.round-trip-context", "invalid-context")).toMatchObject({ status: "fail", args: { value: "vault-prod" } });
    expect(run.finding("awskms.iam-simulation", "invalid-context")).toMatchObject({ status: "warn", args: { value: "vault-prod" } });
  });

  it("denied with and without a context: both-denied", async () => {
    const run = await runAwsScenario("denied-by-identity-policy", { checks: TRIP, kmsContext: { App: "vault-prod" } });
    const f = run.finding("awskms.round-trip-context", "both-denied");
    expect(f.status).toBe("fail");
    expect(f.args!.context).toBe("App=vault-prod");
    expect(String(f.args!.error)).toMatch(/^AccessDeniedException: /);
  });

  it("a key policy that denies one context, Vault sending none: context-only-fails", async () => {
    const scenario = edited("healthy", (s) => {
      statements(s.keys[0]!.policy!).push({ Sid: "DenyLegacyContext", Effect: "Deny", Principal: { AWS: "*" }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "kms:EncryptionContext:App": "legacy" } } });
    });
    const run = await runAwsScenario(scenario, { checks: TRIP, kmsContext: { App: "legacy" } });
    expect(run.codes["awskms.round-trip"]).toEqual(["pass:ok"]);
    const f = run.finding("awskms.round-trip-context", "context-only-fails");
    expect(f.status).toBe("warn");
    expect(f.args!.context).toBe("App=legacy");
    expect(String(f.args!.error)).toMatch(/^AccessDeniedException: .*explicit deny/);
  });
});

describe("awskms.iam-simulation", () => {
  const checks = [...CREDS, identity, keyState, iamSimulation];

  it("a permissions boundary without Encrypt and Decrypt: simulator-differs from the doctor's reading of the role's policies", async () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/vault-boundary`;
    const scenario = edited("healthy", (s) => {
      s.managedPolicies = [...(s.managedPolicies ?? []), { arn: boundary, document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:*", "kms:DescribeKey", "kms:Get*", "kms:List*"], Resource: "*" }] } }];
      s.roles!.find((r) => r.name === "vault-unseal")!.permissionsBoundaryArn = boundary;
    });
    const run = await runAwsScenario(scenario, { checks });
    expect(run.codes["awskms.iam-simulation"]).toContain("fail:denied");
    const f = run.finding("awskms.iam-simulation", "simulator-differs");
    expect(f.status).toBe("warn");
    expect(f.args).toEqual({ role: "role vault-unseal", actions: "kms:Encrypt and kms:Decrypt", local: "kms:Encrypt: allowed here, implicit deny simulated; kms:Decrypt: allowed here, implicit deny simulated" });
  });

  it("the role's policies cannot be listed: policies-unreadable", async () => {
    const scenario = edited("healthy", (s) => {
      const read = s.roles!.find((r) => r.name === "vault-unseal")!.inlinePolicies!["kms-doctor-read"]!;
      const st = statements(read)[0]!;
      st.Action = (st.Action as string[]).filter((a) => a !== "iam:ListRolePolicies");
    });
    const f = (await runAwsScenario(scenario, { checks })).finding("awskms.iam-simulation", "policies-unreadable");
    expect(f.status).toBe("warn");
    expect(f.args!.role).toBe("role vault-unseal");
    expect(String(f.args!.error)).toMatch(/^AccessDenied: .*iam:ListRolePolicies/);
  });

  it("SimulatePrincipalPolicy throttled until the SDK gives up: simulate-failed (error)", async () => {
    const scenario = edited("healthy", (s) => { s.faults = [{ kind: "throttle", service: "iam", operation: "SimulatePrincipalPolicy" }]; });
    const f = (await runAwsScenario(scenario, { checks })).finding("awskms.iam-simulation", "simulate-failed");
    expect(f.status).toBe("error");
    expect(String(f.args!.error)).toMatch(/^Throttling: /);
  });

  it("the account's root user as caller: no-principal (error)", async () => {
    const key = { accessKeyId: "AKIAIOSFODNN7ROOTKEY", secretAccessKey: "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" };
    const scenario = edited("healthy", (s) => { s.accessKeys = [{ ...key, principalArn: `arn:aws:iam::${ACCOUNT}:root` }]; });
    const run = await runAwsScenario(scenario, { checks, env: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_SESSION_TOKEN: undefined } });
    const f = run.finding("awskms.iam-simulation", "no-principal");
    expect([f.status, f.args]).toEqual(["error", { arn: `arn:aws:iam::${ACCOUNT}:root` }]);
  });

  it("an alias that exists nowhere and no key-state facts: key-unknown (error)", async () => {
    const run = await runAwsScenario("alias-missing", { checks: [...CREDS, identity, iamSimulation] });
    const f = run.finding("awskms.iam-simulation", "key-unknown");
    expect(f.status).toBe("error");
    expect(f.args!.key).toBe("alias/vault-unseal");
    expect(String(f.args!.error)).toContain("ListAliases has no alias/vault-unseal");
  });
});

describe("awskms.irsa-trust", () => {
  const checks = [...CREDS, irsaTrust];

  it("a trust policy Deny that matches the pod's token: denied-by-trust, naming the statement", async () => {
    let env: Record<string, string> = {};
    const scenario = edited("irsa-healthy", (s) => {
      env = staticSession(s, "vault-unseal", "vault-0");
      const role = s.roles!.find((r) => r.name === "vault-unseal")!;
      const provider = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
      statements(role.trustPolicy).push({ Sid: "DenyVaultNamespace", Effect: "Deny", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${provider}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { [`${provider}:sub`]: "system:serviceaccount:vault:*" } } });
    });
    const f = (await runAwsScenario(scenario, { checks, env })).finding("awskms.irsa-trust", "denied-by-trust");
    expect([f.status, f.args]).toEqual(["fail", { role: "vault-unseal", statement: '"DenyVaultNamespace"' }]);
  });

  it("GetRole's connection reset: get-role-failed (error)", async () => {
    let env: Record<string, string> = {};
    const scenario = edited("irsa-healthy", (s) => {
      env = staticSession(s, "vault-unseal", "vault-0");
      s.faults = [{ kind: "reset", service: "iam", operation: "GetRole" }];
    });
    const f = (await runAwsScenario(scenario, { checks, env })).finding("awskms.irsa-trust", "get-role-failed");
    expect(f.status).toBe("error");
    expect(f.args!.role).toBe("vault-unseal");
  });
});
