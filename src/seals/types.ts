// What the engine knows about one seal type, in one place: the settings Vault's wrapper reads (and how),
// the environment variables Vault copies over them, the settings that identify the key, the CLI flags that
// describe such a seal without a config file, the words that point `explain` at it, and its checks.
// Adding a seal type = one descriptor here + one checks/<type>/ folder + tests.
import type { AnyCheck } from "../check.js";

/** How Vault hands a setting to the wrapper; everything is a string in the stanza, some are parsed later. */
export type SettingKind = "string" | "bool" | "int";

export interface SealSetting {
  name: string;
  /** Vault's own error text when the setting is missing: the seal does not start without it. */
  requiredText?: string;
  /** A credential: never printed, registered for redaction. */
  secret?: boolean;
  /** Accepts env://VAR, file:///path and string://text (Vault's parseutil.ParsePath). */
  indirect?: boolean;
  kind?: SettingKind;
  /** Identifies the key: two seals with equal values of these settings use the same key (migration). */
  identifiesKey?: boolean;
}

/** A command-line flag that fills one setting when a seal is described without a config file. */
export interface SealFlag {
  flag: string;
  setting: string;
  describe: string;
}

/** The environment overlay: variables Vault copies into the stanza, overwriting the file's values. */
export interface EnvOverlay {
  /** [variable, setting], in the order the wrapper reads them: for `ordered` settings the first set variable wins. */
  vars: readonly (readonly [string, string])[];
  /** Settings the wrapper re-reads in a fixed order, so two disagreeing variables are not a random pick. */
  ordered?: readonly string[];
  /** Settings whose file value wins over the environment (transit: address, token). */
  fileWins?: readonly string[];
}

export type CheckLoader = () => Promise<{ default: AnyCheck }>;

export interface SealDescriptor {
  /** The seal block's label, lower case: `seal "awskms" { … }`. */
  type: string;
  /** What operators call it: "AWS KMS". */
  title: string;
  settings: readonly SealSetting[];
  /** Misspellings and other tools' names -> the setting Vault reads. */
  aliases: Readonly<Record<string, string>>;
  /** HashiCorp Vault's overlay (internalshared/configutil/env_var_util.go copies these into the stanza). */
  env: EnvOverlay;
  /** Where another server reads the environment differently (OpenBao 2.6 has no overlay: its wrappers read their own variables). */
  envFor?: Partial<Record<"vault" | "openbao", EnvOverlay>>;
  /** Environment variables whose values are secrets wherever they appear. */
  secretEnvVars: readonly string[];
  flags: readonly SealFlag[];
  /** Text that marks an error message as this seal's, for `explain` when a rule fits several providers. */
  providerHint?: RegExp;
  /**
   * Its checks, in report order: ids `<type>.<name>`, each the module checks/<type>/<name>.ts, loaded lazily by the
   * registry (ESLint's lazy rule map) so a run loads a seal's checks only when such a seal is checked. A check that
   * lives elsewhere (a test's, a plugin's) comes with its own loader.
   */
  checks: readonly (string | readonly [string, CheckLoader])[];
}

export function defineSeal(d: SealDescriptor): SealDescriptor {
  for (const entry of d.checks) {
    const id = typeof entry === "string" ? entry : entry[0];
    if (!id.startsWith(`${d.type}.`)) throw new Error(`seal ${d.type}: check ${id} must be named ${d.type}.<name>`);
  }
  const names = new Set(d.settings.map((s) => s.name));
  for (const [, setting] of d.env.vars) if (!names.has(setting)) throw new Error(`seal ${d.type}: env overlay names unknown setting ${setting}`);
  for (const f of d.flags) if (!names.has(f.setting)) throw new Error(`seal ${d.type}: flag --${f.flag} names unknown setting ${f.setting}`);
  return d;
}
