// The check contract (after ESLint rules and arethetypeswrong checks): a check is one module in checks/
// that declares what it is and what it needs, and a run() that returns findings built from its own
// message table, so wording lives in one place per check and tests assert codes, not prose.
import type { Finding, Fix, Status } from "./model.js";
import type { SealConfig, VaultConfig } from "./config/seal-config.js";

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
}

export interface CheckContext<Facts = unknown> {
  config: VaultConfig;
  /** The seal under check (undefined for config-scope checks). */
  seal?: SealConfig;
  env: NodeJS.ProcessEnv;
  options: RunOptions;
  /** Aborted when the run's budget is spent. */
  signal: AbortSignal;
  /** Facts published by the checks named in `needs`, keyed by check id. */
  facts: Record<string, unknown>;
  /** Builds a finding from the check's message table. */
  report(status: Status, code: string, args?: Record<string, unknown>, extra?: Partial<Pick<Finding, "details" | "fix" | "cause" | "location">>): Finding;
  /** Services found dead during this run (see src/network/dead-endpoints.ts). */
  deadEndpoints: Set<string>;
}

export interface CheckOutcome<Facts = unknown> {
  findings: Finding[];
  /** Facts for dependent checks; a check that failed to produce them makes dependents skip. */
  facts?: Facts;
}

export interface CheckDefinition<Facts = unknown> {
  /** Stable id, `<group>.<name>`, e.g. `awskms.round-trip`. */
  id: string;
  title: string;
  scope: CheckScope;
  /** Seal types this check applies to (seal scope); `["*"]` for every seal. */
  appliesTo: string[];
  /** Ids of checks whose facts this one needs (same seal); without them it is skipped. */
  needs?: string[];
  /** Ids of checks whose facts this one uses when they exist (it runs after them, but runs either way). */
  uses?: string[];
  /** Advisory checks never fail the gate unless `--fail-on warn`. */
  advisory?: boolean;
  /** Message templates keyed by finding code: `{name}` placeholders. */
  messages: Record<string, string>;
  docs?: string;
  run(ctx: CheckContext<Facts>): Promise<CheckOutcome<Facts>>;
}

export function defineCheck<Facts = unknown>(def: CheckDefinition<Facts>): CheckDefinition<Facts> {
  for (const id of def.needs ?? []) if (id === def.id) throw new Error(`check ${def.id} needs itself`);
  return def;
}

export function formatMessage(template: string, args: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in args ? String(args[key]) : whole));
}

export type { Finding, Fix, Status };
