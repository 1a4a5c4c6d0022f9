// Evaluates a statement's Condition block against the request context.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
import { parseOperator, type ParsedOperator } from "./condition-operators.js";

/** Request context keyed by lower-cased key name: condition key names are case-insensitive, values are not. */
export type ContextLookup = Map<string, string[]>;

export function buildContextLookup(context: Record<string, unknown> | undefined): ContextLookup {
  const lookup: ContextLookup = new Map();
  if (!context || typeof context !== "object") return lookup;
  for (const [key, value] of Object.entries(context)) {
    const values = Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)];
    lookup.set(key.toLowerCase(), values);
  }
  return lookup;
}

function policyValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value === undefined || value === null) return [];
  return [String(value)];
}

export interface ConditionOutcome {
  holds: boolean;
  /** Keys the block references that the request context does not carry, spelled as in the policy. */
  missingKeys: string[];
}

/** One operator on one key. Absent = not supplied, or supplied as an empty list (a null value). */
function evaluateKey(op: ParsedOperator, requestValues: string[] | undefined, values: string[]): boolean {
  const absent = requestValues === undefined || requestValues.length === 0;

  if (op.kind === "null") {
    // "true": the key must be absent; "false": it must be present and not null (Conditions_Null).
    return values.some((v) => (v.toLowerCase() === "true" ? absent : v.toLowerCase() === "false" ? !absent : false));
  }
  if (op.kind === "unknown" || !op.rule) return false;
  const rule = op.rule;

  if (absent) {
    // ForAllValues "returns true if there are no context keys in the request"; ForAnyValue returns false
    // (single-vs-multi-valued page). With no qualifier: "...IfExists" is true; negated operators are true
    // ("If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike,
    // and the right key is not present, the condition is true"); everything else is false (condition operators page).
    // IfExists under a set qualifier is evaluated per value and so does not rescue ForAnyValue.
    if (op.qualifier === "ForAllValues") return true;
    if (op.qualifier === "ForAnyValue") return false;
    return op.ifExists || rule.negated;
  }

  // Multiple policy values for one key are OR; for a negated operator they are NOR.
  const satisfies = (requestValue: string): boolean => {
    const anyMatch = values.some((policyValue) => rule.compare(requestValue, policyValue));
    return rule.negated ? !anyMatch : anyMatch;
  };
  if (op.qualifier === "ForAllValues") return requestValues.every(satisfies);
  if (op.qualifier === "ForAnyValue") return requestValues.some(satisfies);
  // A multi-valued key under a plain operator: a positive operator matches when any request value matches;
  // a negated one when no request value matches any policy value.
  return rule.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}

/**
 * Every operator must hold (AND); within an operator every key must hold (AND). All keys are visited, even after a
 * false one, so that missingKeys is complete. A malformed block holds for nothing.
 */
export function evaluateCondition(condition: unknown, context: ContextLookup): ConditionOutcome {
  if (condition === undefined || condition === null) return { holds: true, missingKeys: [] };
  if (typeof condition !== "object" || Array.isArray(condition)) return { holds: false, missingKeys: [] };
  let holds = true;
  const missingKeys: string[] = [];
  for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
    if (keys === null || typeof keys !== "object" || Array.isArray(keys)) {
      holds = false;
      continue;
    }
    const op = parseOperator(operator);
    for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
      const requestValues = context.get(key.toLowerCase());
      if (requestValues === undefined) missingKeys.push(key);
      if (!evaluateKey(op, requestValues, policyValues(value))) holds = false;
    }
  }
  return { holds, missingKeys };
}
