// iam:SimulatePrincipalPolicy for Vault's three KMS actions, and the KMS rule the simulator does not apply.
// The simulator evaluates the principal's identity policies (and boundaries, SCPs); it takes a ResourcePolicy, but
// "Simulation of resource-based policies isn't supported for IAM roles" and it knows nothing of KMS's own rule that
// identity policies count only when the key policy enables them
// (node_modules/@aws-sdk/client-iam/dist-types/models/models_0.d.ts, SimulatePrincipalPolicyRequest.ResourceArns;
// https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html). So the simulator answers for the
// identity side, and the key policy is then judged here with the project's evaluator (src/iam).
import type { ContextEntry, EvaluationResult as SdkEvaluationResult, IAMClient } from "@aws-sdk/client-iam";
import { callAws, type AwsClientOptions } from "../clients/aws.js";
import { evaluateKmsRequest, statementMatches } from "../iam/index.js";
import type { Decision, MatchedStatement, NamedPolicy } from "../iam/types.js";
import { allowEverything, statementLabel, statementList } from "../policy/policy-documents.js";
import { vaultRequest, type VaultTarget } from "../policy/vault-requests.js";

export interface SimulatorMatch {
  /** SourcePolicyId: the policy name, or "ResourcePolicy"-like ids for the resource policy. */
  policyId: string;
  /** SourcePolicyType: role, user, group, user-managed, aws-managed, resource, none. */
  policyType: string;
  /** 1-based line of the statement in the policy, when the simulator reports it. */
  line?: number;
}

export interface SimulatedAction {
  action: string;
  decision: Decision;
  matched: SimulatorMatch[];
  missingContextValues: string[];
}

export interface SimulationRequest {
  /** The role or user whose policies are simulated. */
  policySourceArn: string;
  keyArn: string;
  actions: readonly string[];
  /** The key policy text as GetKeyPolicy returned it. */
  keyPolicy?: string;
  /** kms:EncryptionContext:<k> entries; undefined = the request Vault sends (none). */
  encryptionContext?: Record<string, string>;
}

/** Context keys KMS sets for an encryption context (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context). */
export function encryptionContextEntries(context: Record<string, string>): ContextEntry[] {
  const entries: ContextEntry[] = Object.entries(context).map(([k, v]) => ({ ContextKeyName: `kms:EncryptionContext:${k}`, ContextKeyValues: [v], ContextKeyType: "string" }));
  entries.push({ ContextKeyName: "kms:EncryptionContextKeys", ContextKeyValues: Object.keys(context), ContextKeyType: "stringList" });
  return entries;
}

function decisionOf(value: string | undefined): Decision {
  return value === "allowed" || value === "explicitDeny" ? value : "implicitDeny";
}

function viewResult(r: SdkEvaluationResult): SimulatedAction {
  // For one resource the resource-specific result carries the same decision; prefer it when present.
  const specific = r.ResourceSpecificResults?.[0];
  const statements = specific?.MatchedStatements ?? r.MatchedStatements ?? [];
  return {
    action: r.EvalActionName ?? "",
    decision: decisionOf(specific?.EvalResourceDecision ?? r.EvalDecision),
    matched: statements.map((s) => ({ policyId: s.SourcePolicyId ?? "?", policyType: s.SourcePolicyType ?? "?", ...(s.StartPosition?.Line ? { line: s.StartPosition.Line } : {}) })),
    missingContextValues: [...new Set([...(r.MissingContextValues ?? []), ...(specific?.MissingContextValues ?? [])])],
  };
}

/** One SimulatePrincipalPolicy call (pages followed): one result per action on the key. */
export async function simulateVaultActions(iam: IAMClient, opts: AwsClientOptions, req: SimulationRequest): Promise<SimulatedAction[]> {
  const { SimulatePrincipalPolicyCommand } = await import("@aws-sdk/client-iam");
  const results: SimulatedAction[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 5; page++) {
    const out = await callAws("iam", opts, (abortSignal) =>
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: req.policySourceArn,
          ActionNames: [...req.actions],
          ResourceArns: [req.keyArn],
          ...(req.keyPolicy ? { ResourcePolicy: req.keyPolicy, CallerArn: req.policySourceArn } : {}),
          ...(req.encryptionContext ? { ContextEntries: encryptionContextEntries(req.encryptionContext) } : {}),
          Marker: marker,
        }),
        { abortSignal },
      ),
    );
    results.push(...(out.EvaluationResults ?? []).map(viewResult));
    if (!out.IsTruncated || !out.Marker) break;
    marker = out.Marker;
  }
  return req.actions.map((action) => results.find((r) => r.action.toLowerCase() === action.toLowerCase()) ?? { action, decision: "implicitDeny", matched: [], missingContextValues: [] });
}

/** What KMS decides: the simulator's identity-side answer, then the key policy's say under KMS's own rule. */
export interface KmsVerdict {
  action: string;
  decision: Decision;
  /** The simulator's answer (identity policies, boundaries, SCPs). */
  simulator: SimulatedAction;
  /** Key policy statements that decided (allow through IAM, naming the role, or deny); empty without a key policy. */
  keyPolicyStatements: MatchedStatement[];
  /** The key policy keeps the role out although the identity side allows. */
  keyPolicyExcludes: boolean;
}

export function kmsVerdict(sim: SimulatedAction, keyPolicy: NamedPolicy | undefined, target: VaultTarget, context?: Record<string, string>): KmsVerdict {
  const base = { action: sim.action, simulator: sim, keyPolicyStatements: [] as MatchedStatement[], keyPolicyExcludes: false };
  if (!keyPolicy) return { ...base, decision: sim.decision };
  // The identity side stands in as "allows everything" when the simulator allowed, "allows nothing" otherwise.
  const identity = sim.decision === "allowed" ? [allowEverything("simulated identity policies")] : [];
  const result = evaluateKmsRequest({ identityPolicies: identity, keyPolicy, request: vaultRequest(target, sim.action, context) });
  const keyPolicyStatements = result.matchedStatements.filter((m) => m.source === "resource");
  if (sim.decision === "explicitDeny") return { ...base, decision: "explicitDeny", keyPolicyStatements: result.decision === "explicitDeny" ? keyPolicyStatements : [] };
  return { ...base, decision: result.decision, keyPolicyStatements, keyPolicyExcludes: sim.decision === "allowed" && result.decision === "implicitDeny" };
}

/** Labels ("Sid" or #n) of the statements in a policy with the given effect that match Vault's request. */
export function matchingStatementLabels(policy: NamedPolicy, target: VaultTarget, action: string, effect: "Allow" | "Deny", context?: Record<string, string>): string[] {
  const request = vaultRequest(target, action, context);
  return statementList(policy.document)
    .map((stmt, index) => ({ stmt, index }))
    .filter(({ stmt }) => stmt.Effect === effect && statementMatches(stmt, request, { checkPrincipal: false }).matches)
    .map(({ stmt, index }) => statementLabel(stmt, index));
}
