// The offline lint: will these policies let Vault's awskms seal do DescribeKey, Encrypt and Decrypt on the key,
// and if not, which statement is in the way and what is the smallest change that fixes it.
// Decisions come from the project's IAM evaluator (src/iam), the one the AWS emulator authorises with.
import { evaluateKmsRequest } from "../iam/index.js";
import type { EvaluationResult, MatchedStatement, NamedPolicy, PolicyDocument } from "../iam/types.js";
import type { Finding } from "../model.js";
import { STATUS_RANK } from "../model.js";
import { findBroadGrants } from "./broad-grants.js";
import { findContextTraps, type ContextTrap } from "./context-traps.js";
import { keyPolicyTrust } from "./key-policy-trust.js";
import {
  allowEverything,
  defaultKeyPolicy,
  delegateToAccount,
  exemptRoleFromDeny,
  freshSid,
  leastPrivilegeIdentityPolicy,
  policyWithoutContextConditions,
  roleKeyStatement,
  statementLabel,
  statementList,
  withoutContextConditions,
} from "./policy-documents.js";
import * as say from "./policy-findings.js";
import type { ActionVerdict, PolicyAnalysis, PolicyAnalysisInput, StatementRef } from "./types.js";
import { VAULT_KMS_ACTIONS, carriesEncryptionContext, vaultRequest, type VaultTarget } from "./vault-requests.js";

export type { ActionVerdict, PolicyAnalysis, PolicyAnalysisInput } from "./types.js";
export { VAULT_KMS_ACTIONS } from "./vault-requests.js";

/** The id the assumed default key policy carries in matched statements. */
export const ASSUMED_KEY_POLICY_ID = "default key policy (assumed)";

function decide(identityPolicies: NamedPolicy[], keyPolicy: NamedPolicy, target: VaultTarget, action: string, context?: Record<string, string>): EvaluationResult {
  return evaluateKmsRequest({ identityPolicies, keyPolicy, request: vaultRequest(target, action, context) });
}

function verdictFor(input: PolicyAnalysisInput, keyPolicy: NamedPolicy, target: VaultTarget, action: string): ActionVerdict {
  const result = decide(input.identityPolicies, keyPolicy, target, action);
  const verdict: ActionVerdict = {
    action,
    decision: result.decision,
    matchedStatements: result.matchedStatements,
    missingContextValues: result.missingContextValues,
    denialReason: result.denialReason,
  };
  if (input.kmsContext) {
    verdict.decisionWithContext = carriesEncryptionContext(action)
      ? decide(input.identityPolicies, keyPolicy, target, action, input.kmsContext).decision
      : result.decision;
  }
  return verdict;
}

/** Questions asked of one document at a time, the other replaced by a stand-in that allows everything. */
function keyLetsRoleIn(keyPolicy: NamedPolicy, target: VaultTarget, action: string): boolean {
  return decide([allowEverything("any identity policy")], keyPolicy, target, action).decision === "allowed";
}
function identityAllows(policies: NamedPolicy[], target: VaultTarget, action: string): boolean {
  return decide(policies, delegateToAccount("key policy enabling IAM", target.roleArn), target, action).decision === "allowed";
}

/** Why an implicitly denied action is denied, one document at a time. A context trap is reported on its own. */
interface DenialCauses {
  identityMissing: string[];
  keyExcludes: string[];
}

function denialCauses(input: PolicyAnalysisInput, keyPolicy: NamedPolicy, target: VaultTarget, denied: ActionVerdict[]): DenialCauses {
  const causes: DenialCauses = { identityMissing: [], keyExcludes: [] };
  const strippedIdentity = input.identityPolicies.map(policyWithoutContextConditions);
  const strippedKey = policyWithoutContextConditions(keyPolicy);
  for (const { action, decision } of denied) {
    if (decision !== "implicitDeny") continue;
    if (!keyLetsRoleIn(keyPolicy, target, action) && !keyLetsRoleIn(strippedKey, target, action)) causes.keyExcludes.push(action);
    if (!identityAllows(input.identityPolicies, target, action) && !identityAllows(strippedIdentity, target, action)) causes.identityMissing.push(action);
  }
  return causes;
}

/** One entry per Deny statement that hits Vault, with the actions it hits. */
interface DenyHit extends StatementRef {
  actions: string[];
}

function denyHits(perAction: ActionVerdict[], policies: NamedPolicy[]): DenyHit[] {
  const hits = new Map<string, DenyHit>();
  for (const verdict of perAction) {
    if (verdict.decision !== "explicitDeny") continue;
    for (const m of verdict.matchedStatements) {
      const id = `${m.source}\u0000${m.policyId}\u0000${m.index}`;
      const hit = hits.get(id) ?? { policyId: m.policyId, source: m.source, index: m.index, label: labelOf(m, policies), actions: [] };
      hit.actions.push(verdict.action);
      hits.set(id, hit);
    }
  }
  return [...hits.values()];
}

function labelOf(m: MatchedStatement, policies: NamedPolicy[]): string {
  const policy = policies.find((p) => p.id === m.policyId);
  const stmt = policy ? statementList(policy.document)[m.index] : undefined;
  return stmt ? statementLabel(stmt, m.index) : m.sid ? `"${m.sid}"` : `#${m.index + 1}`;
}

/**
 * The user's key policy, changed only where it stops Vault: failing context conditions dropped, Denies that hit
 * Vault exempting the role, and a statement naming the role when nothing else lets it in.
 */
function correctKeyPolicy(keyPolicy: NamedPolicy, target: VaultTarget, traps: ContextTrap[], denies: DenyHit[]): PolicyDocument {
  const statements = statementList(keyPolicy.document).map((s) => JSON.parse(JSON.stringify(s)) as (typeof s));
  for (const trap of traps) if (trap.source === "resource") statements[trap.index] = withoutContextConditions(statements[trap.index]!);
  for (const deny of denies) if (deny.source === "resource") statements[deny.index] = exemptRoleFromDeny(statements[deny.index]!, target.roleArn);
  const repaired: PolicyDocument = { ...keyPolicy.document, Version: keyPolicy.document.Version ?? "2012-10-17", Statement: statements };
  const repairedPolicy = { id: keyPolicy.id, document: repaired };
  if (VAULT_KMS_ACTIONS.some((action) => !keyLetsRoleIn(repairedPolicy, target, action))) {
    statements.push(roleKeyStatement(target.roleArn, freshSid(statements, "AllowVaultUnseal")));
  }
  return repaired;
}

function byStatus(findings: Finding[]): Finding[] {
  return findings
    .map((finding, order) => ({ finding, order }))
    .sort((a, b) => STATUS_RANK[b.finding.status] - STATUS_RANK[a.finding.status] || a.order - b.order)
    .map(({ finding }) => finding);
}

export function analyseKmsPolicies(input: PolicyAnalysisInput): PolicyAnalysis {
  const target: VaultTarget = { roleArn: input.roleArn, keyArn: input.keyArn };
  const keyPolicy = input.keyPolicy ?? { id: ASSUMED_KEY_POLICY_ID, document: defaultKeyPolicy(input.keyArn) };
  const documents = [
    ...input.identityPolicies.map((policy) => ({ policy, source: "identity" as const })),
    { policy: keyPolicy, source: "resource" as const },
  ];

  const perAction = VAULT_KMS_ACTIONS.map((action) => verdictFor(input, keyPolicy, target, action));
  const denied = perAction.filter((v) => v.decision !== "allowed");
  const deniedActions = new Set(denied.map((v) => v.action));

  const traps = findContextTraps(documents, target);
  const failingTraps = traps.filter((t) => t.actions.some((a) => deniedActions.has(a)));
  const denies = denyHits(perAction, [...input.identityPolicies, keyPolicy]);
  const causes = denialCauses(input, keyPolicy, target, denied);

  const correctedIdentityPolicy = leastPrivilegeIdentityPolicy(input.keyArn);
  const correctedKeyPolicy = input.keyPolicy ? correctKeyPolicy(input.keyPolicy, target, failingTraps, denies) : undefined;
  const keyPolicyChanged = correctedKeyPolicy !== undefined && JSON.stringify(correctedKeyPolicy) !== JSON.stringify(input.keyPolicy?.document);

  const facts: say.Facts = { input, target, perAction, correctedIdentityPolicy, correctedKeyPolicy, keyPolicyChanged };
  const findings: Finding[] = [];
  if (denied.length === 0) findings.push(say.allAllowed(facts));
  else findings.push(say.actionDenied(facts, { denied, causes, traps: failingTraps, denies }));
  for (const deny of denies) findings.push(say.explicitDeny(facts, deny, [...input.identityPolicies, keyPolicy]));
  for (const trap of traps) findings.push(say.contextTrap(facts, trap, failingTraps.includes(trap)));
  if (causes.identityMissing.length > 0) findings.push(say.identityPolicyMissing(facts, causes.identityMissing));
  if (causes.keyExcludes.length > 0) findings.push(say.keyPolicyExcludesRole(facts, causes.keyExcludes));
  if (input.keyPolicy) {
    const trust = keyPolicyTrust(input.keyPolicy, target);
    if (!trust.enablesIam && !trust.namesRole) findings.push(say.noRootStatement(facts, denied.length > 0));
  } else {
    findings.push(say.keyPolicyNotGiven(facts));
  }
  for (const grant of findBroadGrants(documents, target)) findings.push(say.broadGrant(facts, grant));

  const analysis: PolicyAnalysis = { findings: byStatus(findings), perAction, correctedIdentityPolicy };
  if (correctedKeyPolicy) analysis.correctedKeyPolicy = correctedKeyPolicy;
  return analysis;
}
