// Read-only IAM lookups about the role Vault runs as: its full ARN (an assumed-role ARN drops the path,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns), its trust policy,
// and its identity policies (inline and attached), so that a simulator's answer can be traced to a statement.
// IAM returns policy documents URL-encoded (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html,
// API_GetRolePolicy.html, API_GetPolicyVersion.html); parsePolicyText decodes them.
import type { IAMClient } from "@aws-sdk/client-iam";
import { callAws, type AwsClientOptions } from "../clients/aws.js";
import type { NamedPolicy, PolicyDocument } from "../iam/types.js";
import { parsePolicyText } from "../policy/policy-file.js";

export interface RoleRecord {
  arn: string;
  path: string;
  trustPolicy?: PolicyDocument;
}

export async function getRole(iam: IAMClient, opts: AwsClientOptions, roleName: string): Promise<RoleRecord> {
  const { GetRoleCommand } = await import("@aws-sdk/client-iam");
  const out = await callAws("iam", opts, (abortSignal) => iam.send(new GetRoleCommand({ RoleName: roleName }), { abortSignal }));
  const text = out.Role?.AssumeRolePolicyDocument;
  return {
    arn: out.Role?.Arn ?? "",
    path: out.Role?.Path ?? "/",
    trustPolicy: text ? (parsePolicyText(text, "AssumeRolePolicyDocument").document as PolicyDocument) : undefined,
  };
}

function named(id: string, text: string): NamedPolicy {
  return { id, document: parsePolicyText(text, id).document };
}

/** Inline policies by name, attached managed policies by name (as the simulator's SourcePolicyId names them). */
export async function readRolePolicies(iam: IAMClient, opts: AwsClientOptions, roleName: string): Promise<NamedPolicy[]> {
  const { ListRolePoliciesCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, GetPolicyCommand, GetPolicyVersionCommand } = await import("@aws-sdk/client-iam");
  const policies: NamedPolicy[] = [];
  const inline = await callAws("iam", opts, (abortSignal) => iam.send(new ListRolePoliciesCommand({ RoleName: roleName }), { abortSignal }));
  for (const name of inline.PolicyNames ?? []) {
    const out = await callAws("iam", opts, (abortSignal) => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }), { abortSignal }));
    if (out.PolicyDocument) policies.push(named(name, out.PolicyDocument));
  }
  const attached = await callAws("iam", opts, (abortSignal) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }), { abortSignal }));
  for (const a of attached.AttachedPolicies ?? []) {
    if (!a.PolicyArn) continue;
    const policy = await callAws("iam", opts, (abortSignal) => iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }), { abortSignal }));
    const versionId = policy.Policy?.DefaultVersionId ?? "v1";
    const version = await callAws("iam", opts, (abortSignal) => iam.send(new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: versionId }), { abortSignal }));
    if (version.PolicyVersion?.Document) policies.push(named(a.PolicyName ?? a.PolicyArn, version.PolicyVersion.Document));
  }
  return policies;
}
