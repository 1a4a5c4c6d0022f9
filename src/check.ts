// The check contract (after ESLint rules and arethetypeswrong checks): a check is one module in checks/
// that declares what it is and what it needs, and a run() that returns findings built from its own
// message table, so wording lives in one place per check and tests assert codes, not prose.
import type { Finding, Fix, Status } from "./model.js";
import type { SealConfig, VaultConfig } from "./config/seal-config.js";
import type { FactId, FactMap, FactsOf } from "./facts.js";
import type { VaultTarget } from "./vault/target.js";
import type { Target } from "./targets/target.js";
import type { StoredSeal } from "./storage/types.js";

/** `config` checks look at the whole configuration once; the others run once per seal of their types. */
export type CheckScope = "config" | "seal";

export interface RunOptions {
  /** Encryption context the user wants tried besides Vault's own (none). */
  kmsContext?: Record<string, string>;
  /** Whole-run budget in ms. */
  timeoutMs: number;
  /** Per network call deadline in ms. */
  callTimeoutMs: number;
  /** Vault edition: CE allows one enabled seal. */
  enterprise: boolean;
  /** How many seal targets are checked at once. */
  concurrency?: number;
  /** The server the verdict speaks for (--target, or detected); Vault when absent. */
  target?: Target;
  /** The running Vault to ask (--vault-addr or VAULT_ADDR); checks with `when: "vault-addr"` run only with one. */
  vault?: VaultTarget;
  /** The gate: a config with no enabled auto-unseal seal fails (unless --allow-shamir), as there is nothing to wait for. */
  requireAutoUnseal?: boolean;
  /** A seal-migration preflight (the migrate command): checks with `when: "migration"` run even without a disabled seal. */
  migration?: boolean;
  /** The seal-wrapped entries read from Vault's storage (src/storage/stored-seal.ts), when a storage was readable. */
  storage?: StoredSeal;
  /** --decrypt-stored: a Decrypt-only probe of the real stored blob (the plaintext wiped at once; SECURITY.md). Off by default. */
  decryptStored?: boolean;
}

export interface CheckContext<Needs extends FactId = never, Uses extends FactId = never> {
  config: VaultConfig;
  /** The seal under check (undefined for config-scope checks). */
  seal?: SealConfig;
  env: NodeJS.ProcessEnv;
  options: RunOptions;
  /** Aborted when the run's budget is spent. */
  signal: AbortSignal;
  /** Facts of a check named in `needs`: always there, or this check would have been skipped. */
  need<Id extends Needs>(id: Id): FactMap[Id];
  /** Facts of a check named in `uses`, when it published any. */
  fact<Id extends Uses | Needs>(id: Id): FactMap[Id] | undefined;
  /** Builds a finding from the check's message table. */
  report(status: Status, code: string, args?: Record<string, unknown>, extra?: Partial<Pick<Finding, "details" | "fix" | "cause" | "doctorPermission" | "location">>): Finding;
  /** Endpoints found dead during this run: one set per run (src/runner.ts), filled and honoured by callAws in
   * src/clients/aws.ts and callGcp in src/gcp/session.ts. */
  deadEndpoints: Set<string>;
}

export interface CheckOutcome<Facts = unknown> {
  findings: Finding[];
  /** Facts for dependent checks; a check that failed to produce them makes dependents skip. */
  facts?: Facts;
}

/** Where a check stands in a seal migration: `skip` on the old (disabled) seal, `only` there, or `decrypt-only` there. */
export type OldSealRule = "skip" | "only" | "decrypt-only";

export interface CheckDefinition<Id extends string = string, Needs extends FactId = never, Uses extends FactId = never> {
  /** Stable id, `<group>.<name>`, e.g. `awskms.round-trip`; the group is the folder under checks/. */
  id: Id;
  title: string;
  scope: CheckScope;
  /** Seal types this check applies to (seal scope); `["*"]` for every seal. */
  appliesTo: string[];
  /** Ids of checks whose facts this one needs (same seal); without them it is skipped. */
  needs?: readonly Needs[];
  /** Ids of checks whose facts this one uses when they exist (it runs after them, but runs either way). */
  uses?: readonly Uses[];
  /** Advisory checks never fail the gate unless `--fail-on warn`. */
  advisory?: boolean;
  /** Part of the gate's default set: what decides whether Vault starts. */
  blocksStart?: boolean;
  /** Runs only when there is something to look at: a running Vault's address, a seal migration, an OpenBao target, or
   * storage read (RunOptions.storage; OpenBao's and Vault's stored-key formats: src/storage/blob-info.ts), or hints about
   * the target server that disagree with the one chosen (Target.conflicts). */
  when?: "vault-addr" | "migration" | "openbao" | "storage" | "target-conflict";
  /** Its place in a seal migration (default: runs on old and new seals alike). */
  oldSeal?: OldSealRule;
  /** Message templates keyed by finding code: `{name}` placeholders. */
  messages: Record<string, string>;
  docs?: string;
  run(ctx: CheckContext<Needs, Uses>): Promise<CheckOutcome<FactsOf<Id>>>;
}

/** Any check, as the registry and the runner hold them. */
export type AnyCheck = CheckDefinition<string, any, any>;

export function defineCheck<const Id extends string, Needs extends FactId = never, Uses extends FactId = never>(
  def: CheckDefinition<Id, Needs, Uses>,
): CheckDefinition<Id, Needs, Uses> {
  for (const id of def.needs ?? []) if ((id as string) === def.id) throw new Error(`check ${def.id} needs itself`);
  return def;
}

/** A message's arguments as finding data: primitives stay, lists become lists of strings, anything else its text. */
export function findingArgs(args: Record<string, unknown> | undefined): Finding["args"] {
  if (!args || Object.keys(args).length === 0) return undefined;
  const out: NonNullable<Finding["args"]> = {};
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map((x) => String(x));
    else out[k] = String(v);
  }
  return out;
}

export function formatMessage(template: string, args: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in args ? String(args[key]) : whole));
}

export type { Finding, Fix, Status };
