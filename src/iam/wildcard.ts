// IAM wildcard patterns: `*` matches any run of characters (also none), `?` exactly one character.
// Used by Action/NotAction (case-insensitive), Resource/NotResource, StringLike and ArnLike (case-sensitive).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String

const compiled = new Map<string, RegExp>();
// Policies are user input (and fuzzed in tests): keep the cache bounded.
const CACHE_LIMIT = 2000;

function toRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = (ignoreCase ? "i:" : "s:") + pattern;
  let re = compiled.get(cacheKey);
  if (re) return re;
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else source += ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  }
  re = new RegExp(`^${source}$`, ignoreCase ? "iu" : "u");
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(cacheKey, re);
  return re;
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === "*") return true;
  return toRegExp(pattern, ignoreCase).test(value);
}
