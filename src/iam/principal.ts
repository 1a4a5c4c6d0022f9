// Who a Principal / NotPrincipal element names, compared with the caller of a request.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
import { accountOfArn, parseArn } from "./arn.js";
import type { RequestContext } from "./types.js";

/**
 * "direct": the element names this caller (its role/user ARN, its session ARN, or everyone via "*").
 * "account": the element names only the caller's AWS account (arn:aws:iam::<account>:root or the bare id). That
 * delegates to the account: the caller still needs an identity-based policy that allows the action
 * (principal page, "AWS account principals"; KMS: key-policy-default.html#key-policy-default-allow-root-enable-iam).
 */
export type PrincipalMatch = "none" | "direct" | "account";

interface Caller {
  direct: Set<string>;
  accountId?: string;
  rootArn?: string;
}

function describeCaller(req: RequestContext): Caller {
  const direct = new Set<string>();
  if (req.principalArn) direct.add(req.principalArn);
  if (req.sessionArn) direct.add(req.sessionArn);
  const parsed = parseArn(req.principalArn ?? "") ?? parseArn(req.sessionArn ?? "");
  const accountId = accountOfArn(req.principalArn ?? "") ?? accountOfArn(req.sessionArn ?? "");
  const rootArn = parsed && accountId ? `arn:${parsed.partition}:iam::${accountId}:root` : undefined;
  return { direct, accountId, rootArn };
}

export function callerAccountId(req: RequestContext): string | undefined {
  return describeCaller(req).accountId;
}

function listOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/** Only the "AWS" key can name an IAM role or user; Service and Federated principals never match such a caller. */
function awsEntries(element: unknown): string[] | "everyone" {
  if (element === "*") return "everyone";
  if (element === null || typeof element !== "object" || Array.isArray(element)) return [];
  const aws = listOf((element as Record<string, unknown>)["AWS"]);
  return aws.some((entry) => entry.trim() === "*") ? "everyone" : aws.map((entry) => entry.trim());
}

function isAccountEntry(entry: string, caller: Caller): boolean {
  return caller.accountId !== undefined && (entry === caller.accountId || entry === caller.rootArn);
}

/**
 * A role ARN in Principal matches every session of that role: the caller passes the role ARN as principalArn
 * alongside its sessionArn, so both are compared. Partial wildcards are not supported in Principal, only "*".
 */
export function matchPrincipal(element: unknown, req: RequestContext): PrincipalMatch {
  const entries = awsEntries(element);
  if (entries === "everyone") return "direct";
  const caller = describeCaller(req);
  if (entries.some((entry) => caller.direct.has(entry))) return "direct";
  if (entries.some((entry) => isAccountEntry(entry, caller))) return "account";
  return "none";
}

/**
 * NotPrincipal excludes the caller only when it lists every identity AWS may check for the request: the account,
 * the role or user, and the assumed-role session. The docs warn that leaving the account (or role) out "might deny
 * access to the entire account", so this evaluator takes the strict reading: a partial list does not exclude.
 */
// Stands for "the caller's account" whichever way it was written (root ARN or bare id); never a valid ARN.
const ACCOUNT = "#account";

export function excludedByNotPrincipal(element: unknown, req: RequestContext): boolean {
  const entries = awsEntries(element);
  if (entries === "everyone") return true;
  const caller = describeCaller(req);
  const listed = new Set(entries.map((entry) => (isAccountEntry(entry, caller) ? ACCOUNT : entry)));
  const chain = [caller.accountId !== undefined ? ACCOUNT : undefined, ...caller.direct].filter(
    (identity): identity is string => identity !== undefined,
  );
  return chain.length > 0 && chain.every((identity) => listed.has(identity));
}
