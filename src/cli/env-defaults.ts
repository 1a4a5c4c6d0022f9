// Defaults from the environment, as Trivy reads TRIVY_*: every option of the chosen command can be preset as
// VAULT_KMS_DOCTOR_<OPTION> (upper case, dashes as underscores: --fail-on is VAULT_KMS_DOCTOR_FAIL_ON). A flag on
// the command line wins over its variable. A variable whose value the option does not accept is a usage error
// that names the variable, so a CI job's stray preset is not mistaken for a flag the user typed.
//
// Done here rather than with yargs' own `.env()`: that one turns every VAULT_KMS_DOCTOR_* variable into an argument,
// including the endpoint overrides the doctor reads itself (VAULT_KMS_DOCTOR_GCP_KMS_ENDPOINT, src/clients/gcp.ts),
// which `.strict()` then rejects, and its validation messages name the option, never the variable.
import { UsageError } from "../exit-codes.js";

export const ENV_PREFIX = "VAULT_KMS_DOCTOR_";

/** The subset of yargs' `getOptions()` read here. */
export interface OptionTable {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  array: string[];
  boolean: string[];
  number: string[];
  choices: Record<string, readonly unknown[]>;
}

/** Options never taken from the environment: they answer instead of running. */
const NOT_FROM_ENV = new Set(["help", "version"]);

/** Options whose values may list several items in one variable, comma-separated (Trivy's convention). */
const COMMA_LISTS = new Set(["format", "output", "only", "skip"]);

export function envName(option: string): string {
  return `${ENV_PREFIX}${option.toUpperCase().replace(/-/g, "_")}`;
}

export interface EnvDefaults {
  /** Arguments to add to the command line, `--option=value` only. */
  args: string[];
  /** Option name -> the variable it came from. */
  from: Map<string, string>;
}

/** True when the command line already sets `option` (by its name, an alias, `--no-` or inside a short group). */
function givenOnCommandLine(args: string[], names: string[]): boolean {
  const shorts = names.filter((n) => n.length === 1);
  for (const a of args) {
    if (a === "--") break;
    for (const n of names) {
      const flag = n.length === 1 ? `-${n}` : `--${n}`;
      if (a === flag || a.startsWith(`${flag}=`) || a === `--no-${n}` || a.startsWith(`--no-${n}=`)) return true;
    }
    if (/^-[A-Za-z]{2,}$/.test(a) && shorts.some((s) => a.includes(s))) return true;
  }
  return false;
}

function camelToKebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The command line arguments the environment adds for a command whose options are `table`. Throws a
 * UsageError naming the variable when a value cannot be one of the option's.
 */
export function envDefaults(table: OptionTable, args: string[], env: NodeJS.ProcessEnv): EnvDefaults {
  const out: EnvDefaults = { args: [], from: new Map() };
  for (const option of Object.keys(table.key)) {
    if (NOT_FROM_ENV.has(option) || /[A-Z]/.test(option)) continue;
    const variable = envName(option);
    const raw = env[variable];
    if (raw === undefined || raw.trim() === "") continue;
    const aliases = (table.alias[option] ?? []).map((a) => (/[A-Z]/.test(a) ? camelToKebab(a) : a));
    if (givenOnCommandLine(args, [option, ...aliases])) continue;
    const value = raw.trim();
    const bad = (why: string) => new UsageError(`${variable}=${JSON.stringify(value)}: ${why} (the environment's default for --${option})`);
    if (table.boolean.includes(option)) {
      const v = value.toLowerCase();
      if (["1", "true", "yes", "on"].includes(v)) out.args.push(`--${option}`);
      else if (["0", "false", "no", "off"].includes(v)) out.args.push(`--no-${option}`);
      else throw bad("must be true or false");
    } else {
      const values = table.array.includes(option) && COMMA_LISTS.has(option) ? value.split(",").map((v) => v.trim()).filter((v) => v !== "") : [value];
      const choices = table.choices[option];
      for (const v of values) {
        if (choices && !choices.map(String).includes(v)) throw bad(`must be one of ${choices.map(String).join(", ")}`);
        if (table.number.includes(option) && !/^-?\d+(\.\d+)?$/.test(v)) throw bad("must be a number");
        out.args.push(`--${option}=${v}`);
      }
    }
    out.from.set(option, variable);
  }
  return out;
}

/** Inserts the environment's arguments before a `--` (after which everything is a positional), else at the end. */
export function withEnvArgs(args: string[], extra: string[]): string[] {
  if (extra.length === 0) return args;
  const dashdash = args.indexOf("--");
  return dashdash === -1 ? [...args, ...extra] : [...args.slice(0, dashdash), ...extra, ...args.slice(dashdash)];
}

/** A usage error about `--option` whose value came from the environment names the variable too. */
export function nameEnvSource(message: string, from: Map<string, string>): string {
  // The doctor's own messages say `--option`; yargs' ("Arguments config and seal are mutually exclusive") the bare name.
  const bare = /^(Arguments?|Missing dependent arguments|Implications failed)\b/.test(message);
  const named: string[] = [];
  for (const [option, variable] of from) {
    const name = option.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (new RegExp(`(^|[^\\w-])--${name}(?![\\w-])`).test(message) || (bare && new RegExp(`(^|[\\s:,])${name}(?![\\w-])`).test(message))) named.push(variable);
  }
  return named.length > 0 ? `${message} (from ${named.join(", ")})` : message;
}
