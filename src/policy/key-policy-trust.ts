// How a key policy lets the role in: by naming it, or by allowing its account ("enable IAM policies"), which hands
// the decision to the role's identity policies. Without either, no IAM policy can grant access to the key.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
// https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
import { statementMatches } from "../iam/index.js";
import { accountOfArn } from "../iam/arn.js";
import type { NamedPolicy, PolicyStatement } from "../iam/types.js";
import { accountRootArn, awsPrincipalEntries, statementList } from "./policy-documents.js";
import { VAULT_KMS_ACTIONS, vaultRequest, type VaultTarget } from "./vault-requests.js";

export interface KeyPolicyTrust {
  /** An Allow naming the role's account root (or bare account id) for one of Vault's actions. */
  enablesIam: boolean;
  /** An Allow naming the role ARN itself for one of Vault's actions. */
  namesRole: boolean;
}

/** Action and Resource reach one of Vault's requests; the principal and conditions are judged separately. */
function coversVaultAction(stmt: PolicyStatement, target: VaultTarget): boolean {
  const { Condition: _c, Principal: _p, NotPrincipal: _np, ...rest } = stmt;
  return VAULT_KMS_ACTIONS.some((action) => statementMatches(rest, vaultRequest(target, action), { checkPrincipal: false }).matches);
}

export function keyPolicyTrust(keyPolicy: NamedPolicy, target: VaultTarget): KeyPolicyTrust {
  const root = accountRootArn(target.roleArn);
  const account = accountOfArn(target.roleArn);
  let enablesIam = false;
  let namesRole = false;
  for (const stmt of statementList(keyPolicy.document)) {
    if (stmt.Effect !== "Allow" || !coversVaultAction(stmt, target)) continue;
    const principals = awsPrincipalEntries(stmt.Principal);
    if (principals.some((p) => p === root || p === account)) enablesIam = true;
    if (principals.includes(target.roleArn)) namesRole = true;
  }
  return { enablesIam, namesRole };
}
