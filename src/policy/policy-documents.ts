// The policy documents the lint writes or rewrites: the least-privilege grants for Vault, the default key policy,
// and the two surgical repairs (drop a context condition, exempt the role from a deny).
import { parseArn } from "../iam/arn.js";
import type { NamedPolicy, PolicyDocument, PolicyStatement } from "../iam/types.js";
import { VAULT_KMS_ACTIONS } from "./vault-requests.js";

export const POLICY_VERSION = "2012-10-17";

export function statementList(document: PolicyDocument | undefined): PolicyStatement[] {
  const raw = (document as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.filter((s): s is PolicyStatement => s !== null && typeof s === "object");
}

/** A policy element that may be one string or a list of them. */
export function stringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The AWS entries of a Principal element; "*" alone stands for everyone (reference_policies_elements_principal.html). */
export function awsPrincipalEntries(principal: unknown): string[] {
  if (principal === "*") return ["*"];
  if (principal && typeof principal === "object" && !Array.isArray(principal)) return stringList((principal as Record<string, unknown>)["AWS"]).map((p) => p.trim());
  return [];
}

/** "Sid" in quotes, or the 1-based position when the statement has no Sid. */
export function statementLabel(stmt: PolicyStatement, index: number): string {
  return typeof stmt.Sid === "string" && stmt.Sid !== "" ? `"${stmt.Sid}"` : `#${index + 1}`;
}

/** Vault's three actions on the one key: what the seal needs and nothing more. */
export function leastPrivilegeIdentityPolicy(keyArn: string): PolicyDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [{ Sid: "VaultKmsUnseal", Effect: "Allow", Action: [...VAULT_KMS_ACTIONS], Resource: keyArn }],
  };
}

/** A key policy statement naming the role; in a key policy "Resource": "*" means this key (key-policies.html). */
export function roleKeyStatement(roleArn: string, sid: string): PolicyStatement {
  return { Sid: sid, Effect: "Allow", Principal: { AWS: roleArn }, Action: [...VAULT_KMS_ACTIONS], Resource: "*" };
}

export function accountRootArn(arn: string): string | undefined {
  const parts = parseArn(arn);
  return parts && parts.account ? `arn:${parts.partition}:iam::${parts.account}:root` : undefined;
}

/** The policy KMS gives a key created without one: the account may use the key through IAM policies.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam */
export function defaultKeyPolicy(keyArn: string): PolicyDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: accountRootArn(keyArn) ?? "*" }, Action: "kms:*", Resource: "*" }],
  };
}

/** Stand-ins used to ask one document a question on its own. */
export function allowEverything(id: string): NamedPolicy {
  return { id, document: { Version: POLICY_VERSION, Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } };
}
export function delegateToAccount(id: string, roleArn: string): NamedPolicy {
  const root = accountRootArn(roleArn) ?? "*";
  return { id, document: { Version: POLICY_VERSION, Statement: [{ Effect: "Allow", Principal: { AWS: root }, Action: "*", Resource: "*" }] } };
}

// kms:EncryptionContext:<key> and kms:EncryptionContextKeys (conditions-kms.html). Condition key names are case-insensitive.
const CONTEXT_KEY = /^kms:encryptioncontext(?::.+|keys)$/i;

export function isEncryptionContextKey(key: string): boolean {
  return CONTEXT_KEY.test(key);
}

/** The encryption-context keys a statement's Condition refers to, as spelled in the policy. */
export function contextConditionKeys(stmt: PolicyStatement): string[] {
  const keys: string[] = [];
  for (const block of Object.values(stmt.Condition ?? {})) {
    if (block && typeof block === "object" && !Array.isArray(block)) keys.push(...Object.keys(block).filter(isEncryptionContextKey));
  }
  return [...new Set(keys)];
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The statement with every encryption-context condition removed (and the Condition element, if nothing is left). */
export function withoutContextConditions(stmt: PolicyStatement): PolicyStatement {
  const copy = clone(stmt);
  if (!copy.Condition || typeof copy.Condition !== "object") return copy;
  for (const [operator, block] of Object.entries(copy.Condition)) {
    if (!block || typeof block !== "object" || Array.isArray(block)) continue;
    for (const key of Object.keys(block)) if (isEncryptionContextKey(key)) delete block[key];
    if (Object.keys(block).length === 0) delete copy.Condition[operator];
  }
  if (Object.keys(copy.Condition).length === 0) delete copy.Condition;
  return copy;
}

/** Only the Allow statements lose their context conditions: an Allow that needs a context can only grant less. */
export function policyWithoutContextConditions(policy: NamedPolicy): NamedPolicy {
  const statements = statementList(policy.document).map((s) => (s.Effect === "Allow" ? withoutContextConditions(s) : s));
  return { id: policy.id, document: { ...policy.document, Statement: statements } };
}

/**
 * A Deny that no longer applies to the role: conditions are ANDed, so adding ArnNotEquals aws:PrincipalArn <role>
 * keeps the deny for everyone else (condition-logic-multiple-context-keys-or-values.html). An existing
 * ArnNotEquals list on aws:PrincipalArn gains the role (several values of a negated operator are NOR).
 */
export function exemptRoleFromDeny(stmt: PolicyStatement, roleArn: string): PolicyStatement {
  const copy = clone(stmt);
  const condition = (copy.Condition ??= {});
  const operator = Object.keys(condition).find((op) => op.toLowerCase() === "arnnotequals") ?? "ArnNotEquals";
  const block = (condition[operator] ??= {});
  const key = Object.keys(block).find((k) => k.toLowerCase() === "aws:principalarn") ?? "aws:PrincipalArn";
  const current = block[key];
  const values = Array.isArray(current) ? current.map(String) : current === undefined ? [] : [String(current)];
  const exempted = values.includes(roleArn) ? values : [...values, roleArn];
  block[key] = exempted.length === 1 ? exempted[0]! : exempted;
  return copy;
}

/** A Sid not yet used in the document. */
export function freshSid(statements: PolicyStatement[], wanted: string): string {
  const used = new Set(statements.map((s) => s.Sid));
  if (!used.has(wanted)) return wanted;
  let n = 2;
  while (used.has(`${wanted}${n}`)) n++;
  return `${wanted}${n}`;
}
