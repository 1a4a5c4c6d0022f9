// The requests Vault's awskms seal makes, as the IAM evaluator sees them.
// go-kms-wrapping wrappers/awskms: DescribeKey at startup, Encrypt{KeyId, Plaintext} and Decrypt{CiphertextBlob}
// with no EncryptionContext (docs/vault-seal-facts.md#awskms-requests). Vault's docs list the same three permissions:
// https://developer.hashicorp.com/vault/docs/configuration/seal/awskms#authentication
import { accountOfArn } from "../iam/arn.js";
import type { RequestContext } from "../iam/types.js";

export const VAULT_KMS_ACTIONS = ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"] as const;
export type VaultKmsAction = (typeof VAULT_KMS_ACTIONS)[number];

/** Only cryptographic operations carry an encryption context; DescribeKey never does.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context */
export function carriesEncryptionContext(action: string): boolean {
  return action === "kms:Encrypt" || action === "kms:Decrypt";
}

export interface VaultTarget {
  /** arn:aws:iam::<account>:role/<path/>name */
  roleArn: string;
  /** arn:aws:kms:<region>:<account>:key/<id> */
  keyArn: string;
}

/**
 * The request context KMS builds for a call (the same keys the emulator's authoriser supplies:
 * aws:PrincipalArn, aws:PrincipalAccount, kms:CallerAccount), plus kms:EncryptionContext:<k> and
 * kms:EncryptionContextKeys when a context is sent.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
export function vaultRequest(target: VaultTarget, action: string, encryptionContext?: Record<string, string>): RequestContext {
  const account = accountOfArn(target.roleArn) ?? "";
  const context: Record<string, string | string[]> = {
    "aws:PrincipalArn": target.roleArn,
    "aws:PrincipalAccount": account,
    "kms:CallerAccount": account,
  };
  const entries = carriesEncryptionContext(action) ? Object.entries(encryptionContext ?? {}) : [];
  for (const [k, v] of entries) context[`kms:EncryptionContext:${k}`] = v;
  if (entries.length > 0) context["kms:EncryptionContextKeys"] = entries.map(([k]) => k);
  return { principalArn: target.roleArn, action, resource: target.keyArn, context };
}
