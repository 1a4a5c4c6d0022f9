// Go's strconv.ParseBool (src/strconv/atob.go), which Vault uses for every boolean it reads: seal `disabled`
// (parseutil.ParseBool), VAULT_SKIP_VERIFY, and the wrappers' boolean settings.
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** true / false, or undefined for "" and anything Go would reject ("yes", "maybe", " true"). */
export function parseGoBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return undefined;
}
