// Why a simulated action is denied, traced to statements: an explicit Deny (which statement, in which policy), an
// Allow that needs an encryption context Vault never sends (the simulator's MissingContextValues), no identity
// policy granting it, or a key policy that keeps the role out. The words live in the iam-simulation check.
import type { Decision, NamedPolicy } from "../iam/types.js";
import { isEncryptionContextKey, statementLabel, statementList } from "../policy/policy-documents.js";
import { keyPolicyTrust } from "../policy/key-policy-trust.js";
import type { VaultTarget } from "../policy/vault-requests.js";
import { matchingStatementLabels, type KmsVerdict } from "./simulation.js";

export const DECISION_WORDS: Record<Decision, string> = { allowed: "allowed", implicitDeny: "implicit deny", explicitDeny: "explicit deny" };

export interface SimulationEvidence {
  target: VaultTarget;
  /** The role's identity policies, when they could be read (names match the simulator's SourcePolicyId). */
  identityPolicies?: NamedPolicy[];
  keyPolicy?: NamedPolicy;
}

export interface StatementRefText {
  /** `"Sid"` or `#n` */
  statement: string;
  /** "the key policy" or "identity policy <name>" */
  where: string;
  policyId: string;
  source: "identity" | "resource";
}

/** The statements behind one verdict, identity side first; a policy the check could not read is named without a statement. */
export function statementsBehind(v: KmsVerdict, e: SimulationEvidence, context?: Record<string, string>): StatementRefText[] {
  const refs: StatementRefText[] = [];
  const effect = v.decision === "explicitDeny" ? "Deny" : "Allow";
  const identityDecided = v.decision === "allowed" || v.simulator.decision === "explicitDeny";
  if (identityDecided) {
    for (const m of v.simulator.matched) {
      if (m.policyType === "resource") continue;
      const policy = e.identityPolicies?.find((p) => p.id === m.policyId);
      const labels = policy ? matchingStatementLabels(policy, e.target, v.action, effect, context) : [];
      const where = `identity policy ${m.policyId}`;
      if (labels.length === 0) refs.push({ statement: m.line ? `line ${m.line}` : "(statement not read)", where, policyId: m.policyId, source: "identity" });
      for (const statement of labels) refs.push({ statement, where, policyId: m.policyId, source: "identity" });
    }
  }
  const keyStatements = e.keyPolicy ? statementList(e.keyPolicy.document) : [];
  for (const m of v.keyPolicyStatements) {
    if (m.effect !== effect) continue;
    const stmt = keyStatements[m.index];
    refs.push({ statement: stmt ? statementLabel(stmt, m.index) : `#${m.index + 1}`, where: "the key policy", policyId: m.policyId, source: "resource" });
  }
  return refs;
}

export function refText(refs: StatementRefText[]): string {
  return refs.map((r) => `${r.statement} in ${r.where}`).join(", ");
}

export interface DenialCauses {
  /** Deny statements and the actions each hits. */
  denies: (StatementRefText & { actions: string[] })[];
  /** Actions denied only for want of an encryption context, with the keys the simulator missed. */
  contextActions: string[];
  contextKeys: string[];
  identityMissing: string[];
  keyExcludes: string[];
}

export function denialCauses(verdicts: KmsVerdict[], e: SimulationEvidence): DenialCauses {
  const causes: DenialCauses = { denies: [], contextActions: [], contextKeys: [], identityMissing: [], keyExcludes: [] };
  const trust = e.keyPolicy ? keyPolicyTrust(e.keyPolicy, e.target) : undefined;
  for (const v of verdicts) {
    if (v.decision === "allowed") continue;
    if (v.decision === "explicitDeny") {
      for (const ref of statementsBehind(v, e)) {
        const known = causes.denies.find((d) => d.policyId === ref.policyId && d.statement === ref.statement && d.source === ref.source);
        if (known) known.actions.push(v.action);
        else causes.denies.push({ ...ref, actions: [v.action] });
      }
      continue;
    }
    const contextKeys = v.simulator.missingContextValues.filter(isEncryptionContextKey);
    if (v.simulator.decision !== "allowed" && contextKeys.length > 0) {
      causes.contextActions.push(v.action);
      for (const k of contextKeys) if (!causes.contextKeys.includes(k)) causes.contextKeys.push(k);
    } else if (v.simulator.decision !== "allowed") {
      causes.identityMissing.push(v.action);
    }
    if (v.keyPolicyExcludes || (trust && !trust.enablesIam && !trust.namesRole)) causes.keyExcludes.push(v.action);
  }
  return causes;
}
