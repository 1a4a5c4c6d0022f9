// Runs checks: builds the list per target from the registry, orders by `needs`, runs independent checks
// concurrently, bounds the whole run by its budget, turns anything a check throws into an `error`
// finding, and skips dependents of a prerequisite that produced no facts. Order of the report is the
// registry's order, whichever check finishes first.
import { setMaxListeners } from "node:events";
import { findingArgs, formatMessage, type AnyCheck, type CheckContext, type RunOptions } from "./check.js";
import { worstStatus, type Finding, type SourceLocation, type Status } from "./model.js";
import type { SealConfig, VaultConfig } from "./config/seal-config.js";
import { sealLabel } from "./config/seal-config.js";
import { loadChecksFor, matchesPattern } from "./registry.js";

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  advisory: boolean;
  durationMs: number;
  findings: Finding[];
}

export interface TargetResult {
  /** "config" or the seal's name */
  id: string;
  kind: "config" | "seal";
  label: string;
  sealType?: string;
  disabled?: boolean;
  /** The seal block's `file:line`, when a config file declared it. */
  location?: SourceLocation;
  status: Status;
  checks: CheckResult[];
}

export interface RunResult {
  targets: TargetResult[];
  durationMs: number;
}

export interface RunRequest {
  config: VaultConfig;
  env: NodeJS.ProcessEnv;
  options: RunOptions;
  only?: string[];
  skip?: string[];
  /** A further rule on which checks run (the gate's default set). */
  select?: (def: AnyCheck) => boolean;
  /** Called as each check starts, for progress on stderr. */
  onStart?: (target: string, checkId: string) => void;
  /** Called as each check finishes, for progress on stderr. */
  onProgress?: (target: string, check: CheckResult) => void;
  /** Stops the run at once (the gate on SIGTERM/SIGINT); checks see it through ctx.signal. */
  signal?: AbortSignal;
}

function selected(def: AnyCheck, req: RunRequest): boolean {
  const { only, skip, select } = req;
  if (skip?.some((p) => matchesPattern(def.id, p))) return false;
  if (select && !select(def)) return false;
  if (only && only.length > 0) return only.some((p) => matchesPattern(def.id, p));
  return true;
}

/** Whether a check has anything to look at in this run (its `when`), and on this seal (its `oldSeal` rule). */
function applicable(def: AnyCheck, req: RunRequest, seal?: SealConfig): boolean {
  if (def.when === "vault-addr" && !req.options.vault) return false;
  if (def.when === "migration" && !req.options.migration && !req.config.seals.some((s) => s.disabled)) return false;
  if (def.when === "openbao" && req.options.target?.server !== "openbao") return false;
  if (def.when === "target-conflict" && !req.options.target?.conflicts?.length) return false;
  // Both servers' stored-key formats are read (src/storage/blob-info.ts decodeStoredBlob: OpenBao's BlobInfo, and
  // Vault 1.15+'s seal-HA MultiWrapValue too).
  if (def.when === "storage" && !req.options.storage) return false;
  if (seal && def.oldSeal === "skip" && seal.disabled) return false;
  if (seal && def.oldSeal === "only" && !seal.disabled) return false;
  return true;
}

/** Adds the prerequisites of selected checks (a check cannot run without the facts it needs). */
function withPrerequisites(all: AnyCheck[], chosen: AnyCheck[]): AnyCheck[] {
  const ids = new Set(chosen.map((c) => c.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of all) {
      if (ids.has(c.id)) for (const n of c.needs ?? []) if (!ids.has(n) && all.some((a) => a.id === n)) { ids.add(n); grew = true; }
    }
  }
  return all.filter((c) => ids.has(c.id));
}

class BudgetExceeded extends Error {}

function errorFinding(err: unknown): Finding {
  const message = err instanceof Error ? err.message : String(err);
  return { status: "error", code: "check-crashed", message: `The check could not complete: ${message.split("\n")[0]}` };
}

export async function runTarget(
  target: { id: string; kind: "config" | "seal"; label: string; seal?: SealConfig },
  checks: AnyCheck[],
  req: RunRequest,
  signal: AbortSignal,
  deadEndpoints: Set<string>,
): Promise<TargetResult> {
  const facts: Record<string, unknown> = {};
  const results = new Map<string, CheckResult>();
  const running = new Map<string, Promise<void>>();
  const budget = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(new BudgetExceeded());
    signal.addEventListener("abort", () => reject(new BudgetExceeded()), { once: true });
  });
  budget.catch(() => {});

  const runOne = (def: AnyCheck): Promise<void> => {
    const existing = running.get(def.id);
    if (existing) return existing;
    const p = (async () => {
      const needs = (def.needs ?? []).filter((n) => checks.some((c) => c.id === n));
      const uses = (def.uses ?? []).filter((n) => checks.some((c) => c.id === n));
      await Promise.all([...needs, ...uses].map((n) => runOne(checks.find((c) => c.id === n)!)));
      const started = performance.now();
      req.onStart?.(target.label, def.id);
      const missing = needs.filter((n) => facts[n] === undefined);
      let findings: Finding[];
      if (missing.length > 0) {
        const why = missing.map((n) => `${n} (${results.get(n)?.status ?? "not run"})`).join(", ");
        findings = [{ status: "skip", code: "prerequisite-failed", message: `Not run: it needs ${why}.` }];
      } else if (signal.aborted) {
        findings = [{ status: "error", code: "budget-exceeded", message: `Not run: the run's time budget (${req.options.timeoutMs} ms) was spent before this check could start.` }];
      } else {
        const ctx: CheckContext = {
          config: req.config,
          seal: target.seal,
          env: req.env,
          options: req.options,
          signal,
          need: (id: string) => {
            if (!needs.includes(id) || facts[id] === undefined) throw new Error(`check ${def.id} read facts of ${id}, which it does not need`);
            return facts[id] as never;
          },
          fact: (id: string) => ([...needs, ...uses].includes(id) ? (facts[id] as never) : undefined),
          deadEndpoints,
          report: (status, code, args, extra) => {
            const template = def.messages[code];
            if (template === undefined) throw new Error(`check ${def.id} has no message for code ${code}`);
            return { status, code, message: formatMessage(template, args), args: findingArgs(args), ...extra };
          },
        };
        try {
          const outcome = await Promise.race([def.run(ctx), budget]);
          findings = outcome.findings.length > 0
            ? outcome.findings
            : [{ status: "error", code: "no-findings", message: "The check returned no findings, so nothing was verified." }];
          if (outcome.facts !== undefined) facts[def.id] = outcome.facts;
        } catch (err) {
          findings = err instanceof BudgetExceeded
            ? [{ status: "error", code: "budget-exceeded", message: `Did not finish within the run's time budget (${req.options.timeoutMs} ms).` }]
            : [errorFinding(err)];
        }
      }
      const result: CheckResult = {
        id: def.id,
        title: def.title,
        status: worstStatus(findings.map((f) => f.status)),
        advisory: def.advisory ?? false,
        durationMs: Math.round(performance.now() - started),
        findings,
      };
      results.set(def.id, result);
      req.onProgress?.(target.label, result);
    })();
    running.set(def.id, p);
    return p;
  };

  await Promise.all(checks.map(runOne));
  const ordered = checks.map((c) => results.get(c.id)!);
  return {
    id: target.id,
    kind: target.kind,
    label: target.label,
    sealType: target.seal?.type,
    disabled: target.seal?.disabled,
    // (a fleet names its targets without a line: no location for those)
    location: target.seal?.from.kind === "file" && target.seal.from.line ? { file: target.seal.from.file, line: target.seal.from.line } : undefined,
    status: worstStatus(ordered.map((r) => r.status)),
    checks: ordered,
  };
}

/** Seal targets checked at once: enough to hide latency, few enough to keep sockets and memory flat on a big fleet. */
export const DEFAULT_CONCURRENCY = 8;

function concurrencyLimit(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export async function runChecks(req: RunRequest): Promise<RunResult> {
  const started = performance.now();
  const controller = new AbortController();
  // Every check and every call listens to the run's budget; a fleet legitimately has hundreds of listeners.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(), req.options.timeoutMs);
  timer.unref();
  const stop = () => controller.abort();
  if (req.signal?.aborted) controller.abort();
  req.signal?.addEventListener("abort", stop, { once: true });
  const deadEndpoints = new Set<string>();
  try {
    const pick = (defs: AnyCheck[], seal?: SealConfig) => {
      const here = defs.filter((d) => applicable(d, req, seal));
      return withPrerequisites(here, here.filter((d) => selected(d, req)));
    };
    const jobs: Promise<TargetResult>[] = [];
    const all = await loadChecksFor(req.config.seals.map((s) => s.type));
    const configChecks = pick(all.filter((d) => d.scope === "config"));
    if (configChecks.length > 0) {
      jobs.push(runTarget({ id: "config", kind: "config", label: "Configuration" }, configChecks, req, controller.signal, deadEndpoints));
    }
    const limit = concurrencyLimit(req.options.concurrency ?? DEFAULT_CONCURRENCY);
    for (const seal of req.config.seals) {
      const forSeal = all.filter((d) => d.scope === "seal" && (d.appliesTo.includes("*") || d.appliesTo.includes(seal.type)));
      const defs = pick(forSeal, seal);
      if (defs.length === 0) continue;
      jobs.push(limit(() => runTarget({ id: seal.name, kind: "seal", label: sealLabel(seal), seal }, defs, req, controller.signal, deadEndpoints)));
    }
    const targets = await Promise.all(jobs);
    return { targets, durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", stop);
  }
}
