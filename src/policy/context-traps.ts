// Allow statements that need an encryption context Vault never sends: the trap of guides that recommend
// kms_context plus a StringEquals kms:EncryptionContext:<k> condition on DescribeKey, Encrypt and Decrypt.
// DescribeKey carries no context at all, and Vault's awskms Encrypt/Decrypt send none (go-kms-wrapping
// wrappers/awskms/awskms.go; docs/vault-seal-facts.md#awskms-requests), so
// a condition that needs one is false for every request Vault makes.
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-keys
import { statementMatches } from "../iam/index.js";
import type { NamedPolicy, PolicyStatement } from "../iam/types.js";
import { contextConditionKeys, statementLabel, statementList, withoutContextConditions } from "./policy-documents.js";
import type { StatementRef } from "./types.js";
import { VAULT_KMS_ACTIONS, vaultRequest, type VaultTarget } from "./vault-requests.js";

export interface ContextTrap extends StatementRef {
  statement: PolicyStatement;
  /** The context keys its condition needs, as spelled in the policy. */
  contextKeys: string[];
  /** Vault's actions the statement would allow if it did not need a context. */
  actions: string[];
}

export function findContextTraps(policies: { policy: NamedPolicy; source: "identity" | "resource" }[], target: VaultTarget): ContextTrap[] {
  const traps: ContextTrap[] = [];
  for (const { policy, source } of policies) {
    statementList(policy.document).forEach((statement, index) => {
      if (statement.Effect !== "Allow") return;
      const contextKeys = contextConditionKeys(statement);
      if (contextKeys.length === 0) return;
      const opts = { checkPrincipal: source === "resource" };
      const stripped = withoutContextConditions(statement);
      const actions = VAULT_KMS_ACTIONS.filter((action) => {
        const request = vaultRequest(target, action);
        return !statementMatches(statement, request, opts).matches && statementMatches(stripped, request, opts).matches;
      });
      if (actions.length > 0) traps.push({ policyId: policy.id, source, index, label: statementLabel(statement, index), statement, contextKeys, actions });
    });
  }
  return traps;
}
