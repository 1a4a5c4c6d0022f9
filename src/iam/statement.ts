// Does one policy statement apply to a request? Action, Resource, Principal, then Condition.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
import { buildContextLookup, evaluateCondition, type ContextLookup } from "./conditions.js";
import { excludedByNotPrincipal, matchPrincipal, type PrincipalMatch } from "./principal.js";
import type { PolicyStatement, RequestContext } from "./types.js";
import { wildcardMatch } from "./wildcard.js";

function patterns(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/**
 * Exactly one of the element and its Not- twin must be present (a statement with both or neither is invalid and
 * applies to nothing). Not- matches everything the listed patterns do not.
 */
function matchesElement(positive: unknown, negative: unknown, value: string, ignoreCase: boolean): boolean {
  const hasPositive = positive !== undefined;
  const hasNegative = negative !== undefined;
  if (hasPositive === hasNegative) return false;
  const list = patterns(hasPositive ? positive : negative);
  const any = list.some((pattern) => wildcardMatch(pattern, value, ignoreCase));
  return hasPositive ? any : !any;
}

export interface StatementMatch {
  /** Action, Resource and (when checked) Principal all match; conditions not yet considered. */
  applies: boolean;
  /** How the principal matched; "direct" when the principal is not checked (identity-based policies). */
  principal: PrincipalMatch;
  /** applies and every condition holds. */
  matches: boolean;
  missingKeys: string[];
}

export function matchStatementWith(
  stmt: PolicyStatement,
  req: RequestContext,
  context: ContextLookup,
  checkPrincipal: boolean,
): StatementMatch {
  const none: StatementMatch = { applies: false, principal: "none", matches: false, missingKeys: [] };
  if (stmt === null || typeof stmt !== "object") return none;
  // Action names are case-insensitive ("iam:listaccesskeys" matches), resource ARNs are not.
  if (!matchesElement(stmt.Action, stmt.NotAction, String(req.action ?? ""), true)) return none;
  // The whole request resource is matched as one string: a trailing "*" in a segment may run past colons
  // (Resource page, "Using wildcards in resource ARNs"). In a KMS key policy "Resource": "*" means this key.
  if (!matchesElement(stmt.Resource, stmt.NotResource, String(req.resource ?? ""), false)) return none;
  let principal: PrincipalMatch = "direct";
  if (checkPrincipal) {
    if (stmt.Principal !== undefined && stmt.NotPrincipal === undefined) principal = matchPrincipal(stmt.Principal, req);
    else if (stmt.NotPrincipal !== undefined && stmt.Principal === undefined)
      principal = excludedByNotPrincipal(stmt.NotPrincipal, req) ? "none" : "direct";
    else principal = "none";
    if (principal === "none") return none;
  }
  const condition = evaluateCondition(stmt.Condition, context);
  return { applies: true, principal, matches: condition.holds, missingKeys: condition.missingKeys };
}

/**
 * Whether a statement applies to the request. missingKeys lists condition keys the statement references but the
 * request context lacks, reported only when Action/Resource/Principal match. checkPrincipal is true for
 * resource-based policies (KMS key policies), false for identity-based ones, whose principal is implicit.
 */
export function statementMatches(
  stmt: PolicyStatement,
  req: RequestContext,
  opts: { checkPrincipal: boolean },
): { matches: boolean; missingKeys: string[] } {
  const result = matchStatementWith(stmt, req, buildContextLookup(req.context), opts.checkPrincipal);
  return { matches: result.matches, missingKeys: result.missingKeys };
}
