// Policy evaluation: explicit deny wins, otherwise an allow is needed, otherwise implicit deny.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// KMS adds one rule: the key policy is the root of all access; identity policies count only when the key policy
// allows the account ("enables IAM policies").
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
// https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
import { accountOfArn } from "./arn.js";
import { buildContextLookup, type ContextLookup } from "./conditions.js";
import { callerAccountId, type PrincipalMatch } from "./principal.js";
import { matchStatementWith } from "./statement.js";
import type { EvaluationResult, MatchedStatement, NamedPolicy, PolicyStatement, RequestContext } from "./types.js";

export { statementMatches } from "./statement.js";

interface Hit {
  statement: MatchedStatement;
  principal: PrincipalMatch;
}

interface PolicyScan {
  allows: Hit[];
  denies: Hit[];
  missingKeys: string[];
}

function statementsOf(policy: NamedPolicy): unknown[] {
  const statement = (policy?.document as { Statement?: unknown } | undefined)?.Statement;
  if (Array.isArray(statement)) return statement;
  return statement === undefined || statement === null ? [] : [statement];
}

function scanPolicy(
  policy: NamedPolicy | undefined,
  source: "identity" | "resource",
  req: RequestContext,
  context: ContextLookup,
): PolicyScan {
  const scan: PolicyScan = { allows: [], denies: [], missingKeys: [] };
  if (!policy) return scan;
  statementsOf(policy).forEach((raw, index) => {
    if (raw === null || typeof raw !== "object") return;
    const stmt = raw as PolicyStatement;
    if (stmt.Effect !== "Allow" && stmt.Effect !== "Deny") return;
    const result = matchStatementWith(stmt, req, context, source === "resource");
    if (result.applies) scan.missingKeys.push(...result.missingKeys);
    if (!result.matches) return;
    const statement: MatchedStatement = { policyId: String(policy.id), source, index, effect: stmt.Effect };
    if (typeof stmt.Sid === "string") statement.sid = stmt.Sid;
    (stmt.Effect === "Deny" ? scan.denies : scan.allows).push({ statement, principal: result.principal });
  });
  return scan;
}

/** First spelling wins; key names compare case-insensitively. */
function uniqueKeys(keys: string[]): string[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const folded = key.toLowerCase();
    if (seen.has(folded)) return false;
    seen.add(folded);
    return true;
  });
}

// Message tails of AWS AccessDenied errors, "User: <arn> is not authorized to perform: <action> on resource: <arn> ...".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
const noIdentityAllow = (action: string): string => `because no identity-based policy allows the ${action} action`;
const noResourceAllow = (action: string): string => `because no resource-based policy allows the ${action} action`;
const EXPLICIT_DENY_IDENTITY = "with an explicit deny in an identity-based policy";
const EXPLICIT_DENY_RESOURCE = "with an explicit deny in a resource-based policy";

interface Scans {
  identity: PolicyScan;
  resource: PolicyScan;
  missingContextValues: string[];
}

function scanAll(identityPolicies: NamedPolicy[], resourcePolicy: NamedPolicy | undefined, req: RequestContext): Scans {
  const context = buildContextLookup(req.context);
  const identity: PolicyScan = { allows: [], denies: [], missingKeys: [] };
  for (const policy of identityPolicies ?? []) {
    const scan = scanPolicy(policy, "identity", req, context);
    identity.allows.push(...scan.allows);
    identity.denies.push(...scan.denies);
    identity.missingKeys.push(...scan.missingKeys);
  }
  const resource = scanPolicy(resourcePolicy, "resource", req, context);
  return { identity, resource, missingContextValues: uniqueKeys([...identity.missingKeys, ...resource.missingKeys]) };
}

/**
 * An explicit deny in any policy overrides every allow (evaluation-logic page, "explicit deny"). When both kinds of
 * policy deny, the message names the identity-based one (AWS reports a single policy type; which one it picks
 * when both deny is not documented).
 */
function explicitDeny(scans: Scans): EvaluationResult | undefined {
  const denies = [...scans.identity.denies, ...scans.resource.denies];
  if (denies.length === 0) return undefined;
  return {
    decision: "explicitDeny",
    matchedStatements: denies.map((hit) => hit.statement),
    missingContextValues: scans.missingContextValues,
    denialReason: scans.identity.denies.length > 0 ? EXPLICIT_DENY_IDENTITY : EXPLICIT_DENY_RESOURCE,
  };
}

function allowed(hits: Hit[], scans: Scans): EvaluationResult {
  return { decision: "allowed", matchedStatements: hits.map((hit) => hit.statement), missingContextValues: scans.missingContextValues, denialReason: "" };
}

function implicitDeny(reason: string, scans: Scans): EvaluationResult {
  return { decision: "implicitDeny", matchedStatements: [], missingContextValues: scans.missingContextValues, denialReason: reason };
}

function isCrossAccount(req: RequestContext, resourceAccountId: string | undefined): boolean {
  const caller = callerAccountId(req);
  return resourceAccountId !== undefined && resourceAccountId !== "" && caller !== undefined && resourceAccountId !== caller;
}

/** The allows of a scan, split by how the resource policy named the caller. */
interface Allows {
  identity: Hit[];
  resourceDirect: Hit[];
  resourceAccount: Hit[];
}

function splitAllows(scans: Scans): Allows {
  return {
    identity: scans.identity.allows,
    resourceDirect: scans.resource.allows.filter((hit) => hit.principal === "direct"),
    resourceAccount: scans.resource.allows.filter((hit) => hit.principal === "account"),
  };
}

/** Across accounts both sides must allow: the caller's identity policy and the resource policy, however it names the caller. */
function crossAccountDecision(allows: Allows, action: string, scans: Scans): EvaluationResult {
  if (allows.identity.length === 0) return implicitDeny(noIdentityAllow(action), scans);
  const resourceAllows = [...allows.resourceDirect, ...allows.resourceAccount];
  if (resourceAllows.length === 0) return implicitDeny(noResourceAllow(action), scans);
  return allowed([...allows.identity, ...resourceAllows], scans);
}

/** What both evaluators start from: every policy scanned, the explicit-deny verdict if any, the allows sorted. */
function firstPass(identityPolicies: NamedPolicy[], resourcePolicy: NamedPolicy | undefined, req: RequestContext) {
  const scans = scanAll(identityPolicies, resourcePolicy, req);
  return { scans, denied: explicitDeny(scans), allows: splitAllows(scans), action: String(req.action) };
}

/**
 * KMS: allowed when the key policy allows the principal directly, or when it allows the principal's account (the
 * "Enable IAM policies" statement) and an identity-based policy allows too. Without such a key policy statement,
 * identity policies alone grant nothing (key-policies.html, determining-access.html). For a key in another account
 * the caller's own identity policy must always allow as well (key-policy-modifying-external-accounts.html).
 */
export function evaluateKmsRequest(input: {
  identityPolicies: NamedPolicy[];
  keyPolicy?: NamedPolicy;
  request: RequestContext;
}): EvaluationResult {
  const req = input.request;
  const { scans, denied, allows, action } = firstPass(input.identityPolicies, input.keyPolicy, req);
  if (denied) return denied;
  if (isCrossAccount(req, accountOfArn(String(req.resource ?? "")))) return crossAccountDecision(allows, action, scans);

  const viaIam = allows.resourceAccount.length > 0 && allows.identity.length > 0;
  if (viaIam) return allowed([...allows.identity, ...allows.resourceDirect, ...allows.resourceAccount], scans);
  if (allows.resourceDirect.length > 0) return allowed(allows.resourceDirect, scans);
  // Identity policies allow but the key policy neither names the principal nor enables IAM policies.
  if (allows.identity.length > 0) return implicitDeny(noResourceAllow(action), scans);
  return implicitDeny(noIdentityAllow(action), scans);
}

/**
 * Standard IAM logic within one account: an allow in an identity-based OR a resource-based policy suffices, and an
 * explicit deny in either wins. A resource policy that names only the account delegates to IAM and grants nothing
 * by itself. Across accounts (resourceAccountId differs from the caller's) both sides must allow
 * (reference_policies_evaluation-logic-cross-account.html).
 */
export function evaluateGeneric(input: {
  identityPolicies: NamedPolicy[];
  resourcePolicy?: NamedPolicy;
  request: RequestContext;
  resourceAccountId?: string;
}): EvaluationResult {
  const req = input.request;
  const { scans, denied, allows, action } = firstPass(input.identityPolicies, input.resourcePolicy, req);
  if (denied) return denied;
  if (isCrossAccount(req, input.resourceAccountId)) return crossAccountDecision(allows, action, scans);

  if (allows.identity.length > 0) return allowed([...allows.identity, ...allows.resourceDirect, ...allows.resourceAccount], scans);
  if (allows.resourceDirect.length > 0) return allowed(allows.resourceDirect, scans);
  return implicitDeny(noIdentityAllow(action), scans);
}
