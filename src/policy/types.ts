// What the offline policy lint takes and returns. The online SimulatePrincipalPolicy check reports per action in
// the same shape (ActionVerdict), so both can be compared fixture by fixture.
import type { Finding } from "../model.js";
import type { Decision, MatchedStatement, NamedPolicy, PolicyDocument } from "../iam/types.js";

export interface PolicyAnalysisInput {
  /** The role's identity-based policies (inline and attached). */
  identityPolicies: NamedPolicy[];
  /** The key policy; absent = not reviewed, the KMS default key policy is assumed. */
  keyPolicy?: NamedPolicy;
  roleArn: string;
  keyArn: string;
  /** The kms_context a guide told the user to set: evaluated on the side, Vault never sends it. */
  kmsContext?: Record<string, string>;
}

export interface ActionVerdict {
  action: string;
  /** For the request Vault sends: no encryption context. */
  decision: Decision;
  /** With --kms-context (DescribeKey never carries one, so its request is unchanged). */
  decisionWithContext?: Decision;
  matchedStatements: MatchedStatement[];
  missingContextValues: string[];
  denialReason: string;
}

export interface PolicyAnalysis {
  findings: Finding[];
  perAction: ActionVerdict[];
  /** Least privilege: Vault's three actions on the one key. */
  correctedIdentityPolicy: PolicyDocument;
  /** The user's key policy, repaired only where it stops Vault; absent when no key policy was given. */
  correctedKeyPolicy?: PolicyDocument;
}

/** Where a statement sits: enough to name it and to rewrite it. */
export interface StatementRef {
  policyId: string;
  source: "identity" | "resource";
  index: number;
  /** `"Sid"` or `#n`. */
  label: string;
}
