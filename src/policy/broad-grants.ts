// Grants wider than Vault needs: every principal, every KMS action, every key.
// https://docs.aws.amazon.com/kms/latest/developerguide/least-privilege.html
// https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html (name the key by its ARN)
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html (the root "kms:*" statement is the
// documented default that delegates to IAM, so it is not reported)
import { statementMatches } from "../iam/index.js";
import type { NamedPolicy, PolicyStatement } from "../iam/types.js";
import { accountOfArn } from "../iam/arn.js";
import { accountRootArn, awsPrincipalEntries, statementLabel, statementList, stringList } from "./policy-documents.js";
import type { StatementRef } from "./types.js";
import { VAULT_KMS_ACTIONS, vaultRequest, type VaultTarget } from "./vault-requests.js";

export type BroadGrantKind = "every-principal" | "every-action" | "every-key";

export interface BroadGrant extends StatementRef {
  kinds: BroadGrantKind[];
}

function grantsEveryAction(stmt: PolicyStatement): boolean {
  return stmt.NotAction !== undefined || stringList(stmt.Action).some((a) => a === "*" || a.toLowerCase() === "kms:*");
}

function grantsEveryKey(stmt: PolicyStatement): boolean {
  return stmt.NotResource !== undefined || stringList(stmt.Resource).some((r) => r.includes("*") || r.includes("?"));
}

/** Does the statement reach one of Vault's requests at all (conditions aside)? */
function reachesVault(stmt: PolicyStatement, target: VaultTarget, checkPrincipal: boolean): boolean {
  const { Condition: _ignored, ...unconditioned } = stmt;
  return VAULT_KMS_ACTIONS.some((action) => statementMatches(unconditioned, vaultRequest(target, action), { checkPrincipal }).matches);
}

function identityKinds(stmt: PolicyStatement): BroadGrantKind[] {
  const kinds: BroadGrantKind[] = [];
  if (grantsEveryAction(stmt)) kinds.push("every-action");
  if (grantsEveryKey(stmt)) kinds.push("every-key");
  return kinds;
}

/** In a key policy "Resource" is always this key, so only the principal and the actions can be too wide. */
function keyPolicyKinds(stmt: PolicyStatement, target: VaultTarget): BroadGrantKind[] {
  const principals = awsPrincipalEntries(stmt.Principal);
  const kinds: BroadGrantKind[] = [];
  if (principals.includes("*") && stmt.Condition === undefined) kinds.push("every-principal");
  const namesRoot = principals.includes(accountRootArn(target.roleArn) ?? "") || principals.includes(accountOfArn(target.roleArn) ?? "");
  if (!namesRoot && grantsEveryAction(stmt)) kinds.push("every-action");
  return kinds;
}

export function findBroadGrants(policies: { policy: NamedPolicy; source: "identity" | "resource" }[], target: VaultTarget): BroadGrant[] {
  const grants: BroadGrant[] = [];
  for (const { policy, source } of policies) {
    statementList(policy.document).forEach((stmt, index) => {
      if (stmt.Effect !== "Allow" || !reachesVault(stmt, target, source === "resource")) return;
      const kinds = source === "resource" ? keyPolicyKinds(stmt, target) : identityKinds(stmt);
      if (kinds.length > 0) grants.push({ policyId: policy.id, source, index, label: statementLabel(stmt, index), kinds });
    });
  }
  return grants;
}
