// The comparison behind each IAM condition operator, for one request value against one policy value.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
import { BlockList, isIP } from "node:net";
import { arnSegments } from "./arn.js";
import { wildcardMatch } from "./wildcard.js";

export interface OperatorRule {
  /** Canonical spelling, e.g. "StringNotLike". */
  name: string;
  /** The positive comparison; for a negated operator this is the comparison it negates. */
  compare: (requestValue: string, policyValue: string) => boolean;
  /**
   * Negated matching operators (StringNotEquals, ArnNotLike, ...): the request value must match NONE of the policy
   * values (multiple values are NOR), and an absent key makes the condition true.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
   */
  negated: boolean;
}

function toNumber(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Dates are ISO 8601 or epoch seconds (Conditions_Date). */
function toTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const t = Date.parse(trimmed);
  return Number.isNaN(t) ? undefined : t;
}

function numeric(test: (a: number, b: number) => boolean) {
  return (req: string, pol: string): boolean => {
    const a = toNumber(req);
    const b = toNumber(pol);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function dated(test: (a: number, b: number) => boolean) {
  return (req: string, pol: string): boolean => {
    const a = toTime(req);
    const b = toTime(pol);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

/**
 * ArnEquals and ArnLike behave the same: "Each of the six colon-delimited components of the ARN is checked
 * separately and each can include multi-character match wildcards (*) or single-character match wildcards (?)"
 * (Conditions_ARN). A value that is not an ARN matches only a bare "*".
 */
function arnLike(req: string, pol: string): boolean {
  if (pol === "*") return true;
  const r = arnSegments(req);
  const p = arnSegments(pol);
  if (!r || !p) return false;
  return p.every((segment, i) => wildcardMatch(segment, r[i]!, false));
}

/** IpAddress takes a single address or a CIDR block, IPv4 or IPv6 (Conditions_IPAddress). */
function ipInRange(req: string, pol: string): boolean {
  const family = isIP(req.trim());
  if (family === 0) return false;
  const [network, prefixText] = pol.trim().split("/");
  const networkFamily = isIP(network ?? "");
  if (networkFamily !== family) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  try {
    if (prefixText === undefined) list.addAddress(network!, type);
    else {
      const prefix = Number(prefixText);
      if (!Number.isInteger(prefix)) return false;
      list.addSubnet(network!, prefix, type);
    }
    return list.check(req.trim(), type);
  } catch {
    return false;
  }
}

const stringEquals = (a: string, b: string): boolean => a === b;
const stringEqualsIgnoreCase = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const stringLike = (a: string, b: string): boolean => wildcardMatch(b, a, false);
const boolEquals = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

const RULES: OperatorRule[] = [
  { name: "StringEquals", compare: stringEquals, negated: false },
  { name: "StringNotEquals", compare: stringEquals, negated: true },
  { name: "StringEqualsIgnoreCase", compare: stringEqualsIgnoreCase, negated: false },
  { name: "StringNotEqualsIgnoreCase", compare: stringEqualsIgnoreCase, negated: true },
  { name: "StringLike", compare: stringLike, negated: false },
  { name: "StringNotLike", compare: stringLike, negated: true },
  { name: "NumericEquals", compare: numeric((a, b) => a === b), negated: false },
  { name: "NumericNotEquals", compare: numeric((a, b) => a === b), negated: true },
  { name: "NumericLessThan", compare: numeric((a, b) => a < b), negated: false },
  { name: "NumericLessThanEquals", compare: numeric((a, b) => a <= b), negated: false },
  { name: "NumericGreaterThan", compare: numeric((a, b) => a > b), negated: false },
  { name: "NumericGreaterThanEquals", compare: numeric((a, b) => a >= b), negated: false },
  { name: "DateEquals", compare: dated((a, b) => a === b), negated: false },
  { name: "DateNotEquals", compare: dated((a, b) => a === b), negated: true },
  { name: "DateLessThan", compare: dated((a, b) => a < b), negated: false },
  { name: "DateLessThanEquals", compare: dated((a, b) => a <= b), negated: false },
  { name: "DateGreaterThan", compare: dated((a, b) => a > b), negated: false },
  { name: "DateGreaterThanEquals", compare: dated((a, b) => a >= b), negated: false },
  { name: "Bool", compare: boolEquals, negated: false },
  { name: "BinaryEquals", compare: stringEquals, negated: false },
  { name: "IpAddress", compare: ipInRange, negated: false },
  { name: "NotIpAddress", compare: ipInRange, negated: true },
  { name: "ArnEquals", compare: arnLike, negated: false },
  { name: "ArnLike", compare: arnLike, negated: false },
  { name: "ArnNotEquals", compare: arnLike, negated: true },
  { name: "ArnNotLike", compare: arnLike, negated: true },
];

const BY_NAME = new Map(RULES.map((rule) => [rule.name.toLowerCase(), rule]));

export type SetQualifier = "ForAllValues" | "ForAnyValue";

export interface ParsedOperator {
  qualifier?: SetQualifier;
  /** `...IfExists`: an absent key makes this condition true. */
  ifExists: boolean;
  /** The Null check (Conditions_Null) has no comparison: it tests whether the key is present. */
  kind: "null" | "compare" | "unknown";
  rule?: OperatorRule;
}

/** Splits "ForAnyValue:StringLikeIfExists" into its parts; operator names are matched case-insensitively. */
export function parseOperator(operator: string): ParsedOperator {
  let rest = operator.trim();
  let qualifier: SetQualifier | undefined;
  const lower = rest.toLowerCase();
  if (lower.startsWith("forallvalues:")) {
    qualifier = "ForAllValues";
    rest = rest.slice("forallvalues:".length);
  } else if (lower.startsWith("foranyvalue:")) {
    qualifier = "ForAnyValue";
    rest = rest.slice("foranyvalue:".length);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith("ifexists") && rest.length > "ifexists".length) {
    ifExists = true;
    rest = rest.slice(0, -"ifexists".length);
  }
  const name = rest.toLowerCase();
  if (name === "null") return { qualifier, ifExists, kind: "null" };
  const rule = BY_NAME.get(name);
  return rule ? { qualifier, ifExists, kind: "compare", rule } : { qualifier, ifExists, kind: "unknown" };
}
