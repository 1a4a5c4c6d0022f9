// The commands that apply a corrected document, filled with the real role name and key ARN.
// https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html
// https://docs.aws.amazon.com/cli/latest/reference/kms/put-key-policy.html
import { parseArn } from "../iam/arn.js";
import type { PolicyDocument } from "../iam/types.js";
import type { VaultTarget } from "./vault-requests.js";

export const IDENTITY_POLICY_NAME = "vault-kms-unseal";
export const IDENTITY_POLICY_FILE = `${IDENTITY_POLICY_NAME}.json`;
export const KEY_POLICY_FILE = "key-policy.json";

/** arn:aws:iam::111122223333:role/team/vault-unseal -> vault-unseal (put-role-policy takes the name, never the path). */
export function roleNameOf(roleArn: string): string {
  const resource = parseArn(roleArn)?.resource ?? roleArn;
  return resource.split("/").pop() ?? resource;
}

function shellWord(value: string): string {
  return /^[A-Za-z0-9_.:/@+=,%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A heredoc that writes the document: copy-pastable, and the JSON is shown in full. */
export function writeFileCommand(file: string, document: PolicyDocument): string {
  return `cat > ${shellWord(file)} <<'EOF'\n${JSON.stringify(document, null, 2)}\nEOF`;
}

export function putRolePolicyCommand(target: VaultTarget, policyName = IDENTITY_POLICY_NAME, file = `${policyName}.json`): string {
  return `aws iam put-role-policy --role-name ${shellWord(roleNameOf(target.roleArn))} --policy-name ${shellWord(policyName)} --policy-document file://${shellWord(file)}`;
}

/** KMS is regional: the call must go to the key's region, whatever the CLI's default region is. */
export function putKeyPolicyCommand(target: VaultTarget, file = KEY_POLICY_FILE): string {
  const region = parseArn(target.keyArn)?.region;
  const regionFlag = region ? ` --region ${shellWord(region)}` : "";
  return `aws kms put-key-policy --key-id ${shellWord(target.keyArn)} --policy-name default --policy file://${shellWord(file)}${regionFlag}`;
}

export function identityPolicyCommands(target: VaultTarget, document: PolicyDocument): string[] {
  return [writeFileCommand(IDENTITY_POLICY_FILE, document), putRolePolicyCommand(target)];
}

export function keyPolicyCommands(target: VaultTarget, document: PolicyDocument): string[] {
  return [writeFileCommand(KEY_POLICY_FILE, document), putKeyPolicyCommand(target)];
}
