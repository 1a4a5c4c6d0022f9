// Does an IAM role's trust policy accept a projected service-account token (IRSA)? The token's issuer names the
// OIDC provider (arn:aws:iam::<account>:oidc-provider/<issuer without https://>), and the trust policy's conditions
// on <issuer>:sub and <issuer>:aud are compared with the token's sub and aud.
// https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html (trust policy of an IRSA role)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
import { buildContextLookup, evaluateCondition } from "../iam/conditions.js";
import { parseArn } from "../iam/arn.js";
import type { PolicyDocument, PolicyStatement } from "../iam/types.js";
import { wildcardMatch } from "../iam/wildcard.js";
import { statementLabel, statementList, stringList } from "../policy/policy-documents.js";
import type { JwtClaims } from "./jwt.js";

const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";
/** The audience the EKS pod identity webhook projects and STS accepts. */
export const STS_AUDIENCE = "sts.amazonaws.com";

export interface TrustMismatch {
  /** What differs: the federated provider, the action, or a condition on sub / aud. */
  field: "provider" | "action" | "sub" | "aud";
  /** What the trust policy expects (provider ARNs, or condition values). */
  expected: string[];
  /** What the token (or its issuer) says. */
  actual: string;
  /** The condition operator, for sub / aud. */
  operator?: string;
}

export interface TrustComparison {
  trusted: boolean;
  providerArn: string;
  /** The statement compared (the closest web-identity statement), as `"Sid"` or `#n`. */
  statement?: string;
  mismatches: TrustMismatch[];
  /** A Deny statement that matches the token. */
  deniedBy?: string;
}

export function issuerHost(iss: string): string {
  return iss.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

export function providerArnFor(roleArn: string, iss: string): string {
  const arn = parseArn(roleArn);
  return `arn:${arn?.partition ?? "aws"}:iam::${arn?.account ?? "<ACCOUNT>"}:oidc-provider/${issuerHost(iss)}`;
}

function tokenContext(claims: JwtClaims): Record<string, string | string[]> {
  const host = issuerHost(claims.iss ?? "");
  return { [`${host}:sub`]: claims.sub ?? "", [`${host}:aud`]: claims.aud, [`${host}:oaud`]: claims.aud };
}

function allowsWebIdentity(stmt: PolicyStatement): boolean {
  return stringList(stmt.Action).some((a) => wildcardMatch(a, WEB_IDENTITY_ACTION, true));
}

function federatedOf(stmt: PolicyStatement): string[] {
  const p = stmt.Principal;
  if (p === "*") return ["*"];
  return p && typeof p === "object" ? stringList(p.Federated) : [];
}

function namesProvider(stmt: PolicyStatement, providerArn: string): boolean {
  return federatedOf(stmt).some((f) => f === "*" || f === providerArn);
}

function matches(stmt: PolicyStatement, providerArn: string, claims: JwtClaims): boolean {
  return allowsWebIdentity(stmt) && namesProvider(stmt, providerArn) && evaluateCondition(stmt.Condition, buildContextLookup(tokenContext(claims))).holds;
}

/** The sub/aud conditions of a statement that the token fails, one by one. */
function conditionMismatches(stmt: PolicyStatement, claims: JwtClaims): TrustMismatch[] {
  const mismatches: TrustMismatch[] = [];
  const context = buildContextLookup(tokenContext(claims));
  for (const [operator, block] of Object.entries(stmt.Condition ?? {})) {
    if (!block || typeof block !== "object") continue;
    for (const [key, value] of Object.entries(block)) {
      const field = /:sub$/i.test(key) ? "sub" : /:(o?aud)$/i.test(key) ? "aud" : undefined;
      if (!field) continue;
      const expected = Array.isArray(value) ? value.map(String) : [String(value)];
      const keyHost = key.slice(0, key.lastIndexOf(":"));
      if (keyHost !== issuerHost(claims.iss ?? "")) {
        mismatches.push({ field: "provider", expected: [keyHost], actual: issuerHost(claims.iss ?? "") });
        continue;
      }
      if (!evaluateCondition({ [operator]: { [key]: value } }, context).holds) {
        mismatches.push({ field, expected, actual: field === "sub" ? claims.sub ?? "(none)" : claims.aud.join(",") || "(none)", operator });
      }
    }
  }
  return mismatches;
}

export function compareTrustPolicy(trust: PolicyDocument, claims: JwtClaims, roleArn: string): TrustComparison {
  const providerArn = providerArnFor(roleArn, claims.iss ?? "");
  const statements = statementList(trust).map((stmt, index) => ({ stmt, index }));
  const deny = statements.find(({ stmt }) => stmt.Effect === "Deny" && matches(stmt, providerArn, claims));
  const allow = statements.find(({ stmt }) => stmt.Effect === "Allow" && matches(stmt, providerArn, claims));
  if (allow && !deny) return { trusted: true, providerArn, statement: statementLabel(allow.stmt, allow.index), mismatches: [] };
  if (deny) return { trusted: false, providerArn, deniedBy: statementLabel(deny.stmt, deny.index), mismatches: [] };

  const webIdentity = statements.filter(({ stmt }) => stmt.Effect === "Allow" && allowsWebIdentity(stmt));
  const closest = webIdentity.find(({ stmt }) => namesProvider(stmt, providerArn)) ?? webIdentity[0];
  if (!closest) return { trusted: false, providerArn, mismatches: [{ field: "action", expected: [WEB_IDENTITY_ACTION], actual: "no Allow statement for it" }] };
  const mismatches: TrustMismatch[] = [];
  if (!namesProvider(closest.stmt, providerArn)) mismatches.push({ field: "provider", expected: federatedOf(closest.stmt), actual: providerArn });
  for (const m of conditionMismatches(closest.stmt, claims)) {
    if (!mismatches.some((x) => x.field === m.field && x.actual === m.actual)) mismatches.push(m);
  }
  return { trusted: false, providerArn, statement: statementLabel(closest.stmt, closest.index), mismatches };
}

/**
 * The trust policy that accepts this token: the closest web-identity statement names the token's provider and
 * requires exactly its sub and the STS audience (StringEquals, as EKS documents); other statements are kept.
 */
export function correctedTrustPolicy(trust: PolicyDocument, claims: JwtClaims, roleArn: string): PolicyDocument {
  const providerArn = providerArnFor(roleArn, claims.iss ?? "");
  const host = issuerHost(claims.iss ?? "");
  const statements = statementList(trust).map((s) => JSON.parse(JSON.stringify(s)) as PolicyStatement);
  const index = statements.findIndex((s) => s.Effect === "Allow" && allowsWebIdentity(s) && namesProvider(s, providerArn));
  const at = index >= 0 ? index : statements.findIndex((s) => s.Effect === "Allow" && allowsWebIdentity(s));
  const base: PolicyStatement = at >= 0 ? statements[at]! : { Effect: "Allow", Action: WEB_IDENTITY_ACTION };
  const condition: NonNullable<PolicyStatement["Condition"]> = {};
  for (const [operator, block] of Object.entries(base.Condition ?? {})) {
    const kept = Object.fromEntries(Object.entries(block ?? {}).filter(([key]) => !/:(sub|o?aud)$/i.test(key)));
    if (Object.keys(kept).length > 0) condition[operator] = kept;
  }
  condition.StringEquals = { ...(condition.StringEquals ?? {}), [`${host}:sub`]: claims.sub ?? "", [`${host}:aud`]: STS_AUDIENCE };
  const fixed: PolicyStatement = { ...base, Effect: "Allow", Principal: { Federated: providerArn }, Action: WEB_IDENTITY_ACTION, Condition: condition };
  if (at >= 0) statements[at] = fixed;
  else statements.push(fixed);
  return { ...trust, Version: trust.Version ?? "2012-10-17", Statement: statements };
}
