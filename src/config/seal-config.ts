// The seal configuration as Vault will see it after reading every file and the environment,
// with the provenance of every value so a finding can say where a wrong value came from.

export type Provenance =
  | { kind: "file"; file: string; line?: number }
  | { kind: "env"; name: string }
  | { kind: "flag"; name: string }
  | { kind: "default" };

export interface ResolvedValue {
  /** The value Vault's wrapper receives (after env://, file:// indirection). */
  value: string;
  from: Provenance;
  /** The raw text before indirection, when it was env://, file:// or string://. */
  indirection?: string;
  /** Set when the indirection could not be resolved (missing env var, unreadable file). */
  resolveError?: string;
  /** Values this one replaced (e.g. the file's value, overwritten by an environment variable). */
  overridden?: { value: string; from: Provenance }[];
}

export interface EnvConflict {
  key: string;
  vars: { name: string; value: string }[];
}

export interface SealConfig {
  /** 0-based order in which Vault reads the block. */
  index: number;
  /** The type Vault will use (after VAULT_SEAL_TYPE). */
  type: string;
  /** The block label as written. */
  declaredType: string;
  typeOverriddenBy?: string;
  kind: "seal" | "kms";
  name: string;
  nameFrom: Provenance;
  disabled: boolean;
  priority?: number;
  from: Provenance;
  values: Record<string, ResolvedValue>;
  envConflicts: EnvConflict[];
}

export interface VaultConfig {
  files: string[];
  seals: SealConfig[];
  /** Where the seal definitions came from. */
  origin: "config" | "flags" | "fleet" | "none";
  /** OpenBao KMS plugin registrations (`plugin "kms" "<name>"`), with file:line. */
  kmsPlugins?: { name: string; where: string; command?: string; sha256sum?: string }[];
  /** The top-level `plugin_directory` setting, with file:line. */
  pluginDirectory?: { value: string; where: string };
  /** The seals as another server would read the same files (the environment overlay differs by server). */
  rebuild?: (server: "vault" | "openbao") => SealConfig[];
}

export function sealValue(seal: SealConfig, key: string): string | undefined {
  const v = seal.values[key];
  return v && v.value !== "" ? v.value : undefined;
}

export function formatProvenance(p: Provenance): string {
  switch (p.kind) {
    case "file":
      return p.line ? `${p.file}:${p.line}` : p.file;
    case "env":
      return `env ${p.name}`;
    case "flag":
      return `flag --${p.name}`;
    case "default":
      return "default";
  }
}

/** The `file:line` of a value for SARIF and GitHub annotations: only a file with a known line is a place to point at. */
export function locationOf(p: Provenance): { file: string; line: number } | undefined {
  return p.kind === "file" && p.line ? { file: p.file, line: p.line } : undefined;
}

/** The label a report uses for one seal: its name, with the type when they differ. */
export function sealLabel(seal: SealConfig): string {
  return seal.name === seal.type ? seal.type : `${seal.name} (${seal.type})`;
}
