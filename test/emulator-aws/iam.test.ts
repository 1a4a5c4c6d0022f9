// IAM reads and the policy simulator through @aws-sdk/client-iam, including a caller not allowed to ask.
import {
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { GetKeyPolicyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { fromTokenFile } from "@aws-sdk/credential-providers";
import { afterEach, describe, expect, test } from "vitest";
import { startAwsEmulator, type AwsEmulator } from "../emulator/aws/server.js";
import { failureOf, iamClient, KEY_ARN, kmsClient, ROLE_ARN, stsClient, VAULT_SESSION_ARN } from "./clients.js";
import { awsScenario } from "./scenario-files.js";

let emu: AwsEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function iamFor(scenario: string) {
  emu = await startAwsEmulator(awsScenario(scenario));
  return iamClient(emu);
}

describe("role reads", () => {
  test("GetRole returns the trust policy URL-encoded, as IAM does (called with IRSA credentials)", async () => {
    emu = await startAwsEmulator(awsScenario("irsa-healthy"));
    const credentials = fromTokenFile({
      roleArn: emu.env["AWS_ROLE_ARN"],
      webIdentityTokenFile: emu.env["AWS_WEB_IDENTITY_TOKEN_FILE"],
      clientConfig: { endpoint: emu.env["AWS_ENDPOINT_URL_STS"], region: emu.env["AWS_REGION"], maxAttempts: 1 },
    });
    const iam = iamClient(emu, { credentials });
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "vault-unseal" }));
    expect(Role).toMatchObject({ RoleName: "vault-unseal", Arn: ROLE_ARN, Path: "/", MaxSessionDuration: 3600 });
    expect(Role?.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
    const trust = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:vault:vault",
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
    });
  });

  test("inline and attached policies are listed and readable", async () => {
    // The healthy caller, in an account that also has the EKS node role of node-role-instead-of-irsa.
    const nodeRoleAccount = awsScenario("node-role-instead-of-irsa");
    const s = awsScenario("healthy");
    s.roles!.push(nodeRoleAccount.roles!.find((r) => r.name === "eks-node-group-role")!);
    s.managedPolicies!.push(...nodeRoleAccount.managedPolicies!);
    emu = await startAwsEmulator(s);
    const iam = iamClient(emu);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "vault-unseal" }))).PolicyNames).toEqual(["vault-kms-unseal", "kms-doctor-read"]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: "vault-unseal", PolicyName: "vault-kms-unseal" }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!)).Statement[0].Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "eks-node-group-role" }));
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: "AmazonEKSWorkerNodePolicy", PolicyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" },
    ]);
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", VersionId: "v1" }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement[0].Sid).toBe("WorkerNodePermissions");
  });

  test("an unknown role is NoSuchEntity", async () => {
    const iam = await iamFor("healthy");
    expect(await failureOf(iam.send(new GetRoleCommand({ RoleName: "vault-unsael" })))).toEqual({
      name: "NoSuchEntityException",
      message: "The role with name vault-unsael cannot be found.",
      status: 404,
    });
  });
});

describe("SimulatePrincipalPolicy", () => {
  test("allowed and implicitDeny per action, with the matching statement", async () => {
    const iam = await iamFor("healthy");
    const { EvaluationResults } = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames: ["kms:Decrypt", "kms:ScheduleKeyDeletion"], ResourceArns: [KEY_ARN] }),
    );
    expect(EvaluationResults?.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual([
      ["kms:Decrypt", KEY_ARN, "allowed"],
      ["kms:ScheduleKeyDeletion", KEY_ARN, "implicitDeny"],
    ]);
    expect(EvaluationResults?.[0]?.MatchedStatements).toEqual([{ SourcePolicyId: "vault-kms-unseal", SourcePolicyType: "role" }]);
    expect(EvaluationResults?.[0]?.ResourceSpecificResults).toEqual([
      {
        EvalResourceName: KEY_ARN,
        EvalResourceDecision: "allowed",
        MatchedStatements: [{ SourcePolicyId: "vault-kms-unseal", SourcePolicyType: "role" }],
        MissingContextValues: [],
      },
    ]);
  });

  test("context-required: MissingContextValues names the context key; ContextEntries satisfy it", async () => {
    const iam = await iamFor("context-required");
    const bare = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames: ["kms:Decrypt"], ResourceArns: [KEY_ARN] }));
    expect(bare.EvaluationResults?.[0]).toMatchObject({ EvalDecision: "implicitDeny", MissingContextValues: ["kms:EncryptionContext:App"] });
    const withContext = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: ROLE_ARN,
        ActionNames: ["kms:Decrypt"],
        ResourceArns: [KEY_ARN],
        ContextEntries: [{ ContextKeyName: "kms:EncryptionContext:App", ContextKeyValues: ["vault-prod"], ContextKeyType: "string" }],
      }),
    );
    expect(withContext.EvaluationResults?.[0]).toMatchObject({ EvalDecision: "allowed", MissingContextValues: [] });
  });

  test("explicit-deny: passing the key policy as ResourcePolicy shows the explicit deny", async () => {
    emu = await startAwsEmulator(awsScenario("explicit-deny"));
    const { Policy } = await kmsClient(emu).send(new GetKeyPolicyCommand({ KeyId: KEY_ARN }));
    const { EvaluationResults } = await iamClient(emu).send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames: ["kms:Decrypt", "kms:Encrypt"], ResourceArns: [KEY_ARN], ResourcePolicy: Policy }),
    );
    expect(EvaluationResults?.map((r) => r.EvalDecision)).toEqual(["explicitDeny", "allowed"]);
    expect(EvaluationResults?.[0]?.MatchedStatements).toEqual([{ SourcePolicyId: "ResourcePolicy", SourcePolicyType: "resource" }]);
  });
});

describe("no-simulate-permission: Vault works, the doctor's extra reads are denied", () => {
  test.each([
    ["iam:SimulatePrincipalPolicy", ROLE_ARN],
  ])("%s is AccessDenied", async (action, resource) => {
    const iam = await iamFor("no-simulate-permission");
    expect(await failureOf(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames: ["kms:Decrypt"] })))).toEqual({
      name: "AccessDenied",
      message: `User: ${VAULT_SESSION_ARN} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      status: 403,
    });
  });

  test("kms:GetKeyPolicy and kms:GetKeyRotationStatus are AccessDeniedException", async () => {
    emu = await startAwsEmulator(awsScenario("no-simulate-permission"));
    const kms = kmsClient(emu);
    for (const [command, action] of [
      [new GetKeyPolicyCommand({ KeyId: KEY_ARN }), "kms:GetKeyPolicy"],
      [new GetKeyRotationStatusCommand({ KeyId: KEY_ARN }), "kms:GetKeyRotationStatus"],
    ] as const) {
      expect(await failureOf(kms.send(command as GetKeyPolicyCommand))).toEqual({
        name: "AccessDeniedException",
        message: `User: ${VAULT_SESSION_ARN} is not authorized to perform: ${action} on resource: ${KEY_ARN} because no identity-based policy allows the ${action} action`,
        status: 400,
      });
    }
  });
});

test("AssumeRole into a role whose trust policy does not trust the caller is AccessDenied", async () => {
  emu = await startAwsEmulator(awsScenario("healthy"));
  const target = "arn:aws:iam::111122223333:role/kms-key-admin";
  expect(await failureOf(stsClient(emu).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: "doctor" })))).toEqual({
    name: "AccessDenied",
    message: `User: ${VAULT_SESSION_ARN} is not authorized to perform: sts:AssumeRole on resource: ${target}`,
    status: 403,
  });
});
