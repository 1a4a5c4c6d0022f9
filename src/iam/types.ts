// The IAM policy language as this project evaluates it: policy documents, a request to authorise,
// and the decision with the evidence behind it. Shapes follow the IAM JSON policy grammar
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };
  NotPrincipal?: "*" | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

/** id = policy name/ARN, or "key-policy" for a KMS key policy. */
export interface NamedPolicy {
  id: string;
  document: PolicyDocument;
}

export interface RequestContext {
  /** The IAM role/user ARN. For an assumed-role session pass the *role* ARN here and the session ARN in sessionArn. */
  principalArn: string;
  /** arn:aws:sts::111122223333:assumed-role/Role/session */
  sessionArn?: string;
  /** e.g. "kms:Decrypt" */
  action: string;
  /** e.g. a key ARN */
  resource: string;
  /** Condition keys, e.g. {"kms:EncryptionContext:App":"vault","kms:EncryptionContextKeys":["App"],"aws:PrincipalArn":"..."} */
  context: Record<string, string | string[]>;
}

export type Decision = "allowed" | "explicitDeny" | "implicitDeny";

export interface MatchedStatement {
  policyId: string;
  source: "identity" | "resource";
  sid?: string;
  /** Position of the statement in the policy's Statement list (0-based; 0 when Statement is a single object). */
  index: number;
  effect: "Allow" | "Deny";
}

export interface EvaluationResult {
  decision: Decision;
  /** Statements whose Effect decided: all matching Deny for explicitDeny; the Allows for allowed; empty for implicitDeny. */
  matchedStatements: MatchedStatement[];
  /** Condition keys referenced by statements that apply to this action/resource/principal but absent from context. */
  missingContextValues: string[];
  /**
   * Why, in AWS's own words for the AccessDenied message tail, e.g. "because no identity-based policy allows the kms:Decrypt action",
   * "with an explicit deny in a resource-based policy". Empty for allowed.
   */
  denialReason: string;
}
