// One message table for the analysis of Vault's KMS permissions, keyed by finding code. The offline `policy` command
// (src/policy/policy-findings.ts) and the online awskms.iam-simulation check build their findings from it, so the same
// situation has the same code, the same template and the same arguments in both: nothing translates between them.
import { findingArgs, formatMessage } from "../check.js";
import type { Finding, Status } from "../model.js";

export const POLICY_MESSAGES = {
  "allowed": "{actions} are allowed for {role} on the key, with no encryption context as Vault sends them ({how}).",
  "denied": "Vault cannot use the key as {role}: {summary}.",
  "explicit-deny": "Statement {statement} in {where} explicitly denies {actions} to {role}; an explicit deny overrides every allow{contextNote}.",
  "context-required": "{actions} {verb} allowed only with an encryption context ({keys}){by}, but Vault's awskms seal sends none{describeKey}{verdict}.",
  "identity-policy-missing": "No identity policy of {role} allows {actions} on key {key}; {keyPolicy}.",
  "key-policy-excludes-role": "The key policy{assumed} lets {role} in for none of {actions}: it neither names the role nor allows its account ({root}, \"enable IAM policies\"), so no identity policy can grant them{statements}.",
  "no-root-statement": "The key policy has no \"enable IAM policies\" statement for {root} and does not name {roleArn}: {consequence}.",
  "broad-grant": "Statement {statement} in {where} {grants}; Vault needs only {needed} on this key.",
  "key-policy-not-given": "Key policy not reviewed (no --key-policy): assumed the default key policy, which lets IAM policies decide.",
} as const;

export type PolicyCode = keyof typeof POLICY_MESSAGES;

/** The templates of the given codes, for a check's `messages`. */
export function policyMessages<const C extends PolicyCode>(codes: readonly C[]): Record<C, string> {
  return Object.fromEntries(codes.map((c): [C, string] => [c, POLICY_MESSAGES[c]])) as Record<C, string>;
}

/** A finding of the policy analysis, built from the table as a check's ctx.report builds one from its own. */
export function policyFinding(status: Status, code: PolicyCode, args: Record<string, unknown>, extra: Partial<Pick<Finding, "details" | "fix" | "cause">> = {}): Finding {
  const finding: Finding = { status, code, message: formatMessage(POLICY_MESSAGES[code], args) };
  const data = findingArgs(args);
  if (data) finding.args = data;
  return { ...finding, ...extra };
}
