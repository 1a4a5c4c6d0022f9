// The report document every format is rendered from. It is redacted once, here, before any reporter sees it.
import type { RunResult, TargetResult } from "../runner.js";
import { STATUS_RANK, type Status } from "../model.js";
import { redact } from "../redact.js";
import type { Target } from "../targets/target.js";
import { buildRootCauses, type RootCause } from "../causes/root-causes.js";

export const SCHEMA_VERSION = 1;

export interface Summary { pass: number; warn: number; fail: number; error: number; skip: number }

export interface RunReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  configFiles: string[];
  /** The server the verdict speaks for, and why (src/targets/target.ts). */
  target?: Target;
  /** The worst status over every check that counts towards the verdict. */
  status: Status;
  /** Will this Vault unseal? `ok` only when nothing failed, could not be checked or warned; `problems` on any fail or error. */
  verdict: "ok" | "warnings" | "problems";
  summary: Summary;
  /** Why, most specific first, each with its complete fix: present whenever the verdict is not `ok`. */
  rootCauses?: RootCause[];
  targets: TargetResult[];
}

/**
 * Whether a check's status decides the verdict: not when its only errors are the doctor's own missing read
 * permissions (Finding.doctorPermission) — Vault would unseal all the same.
 */
export function decidesVerdict(c: { status: Status; findings: { status: Status; doctorPermission?: string }[] }): boolean {
  if (c.status !== "error") return true;
  const errors = c.findings.filter((f) => f.status === "error");
  return errors.length === 0 || errors.some((f) => !f.doctorPermission);
}

export function summarise(targets: TargetResult[]): Summary {
  const s: Summary = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (const t of targets) for (const c of t.checks) s[c.status]++;
  return s;
}

export function buildReport(run: RunResult, meta: { version: string; startedAt: Date; configFiles: string[]; target?: Target }): RunReport {
  const summary = summarise(run.targets);
  const status = run.targets.reduce<Status>((w, t) => (STATUS_RANK[t.status] > STATUS_RANK[w] ? t.status : w), "skip");
  const verdict = verdictOf(run.targets, summary);
  const rootCauses = verdict === "ok" ? undefined : buildRootCauses(run.targets);
  return redact({
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "vault-kms-doctor", version: meta.version },
    startedAt: meta.startedAt.toISOString(),
    durationMs: run.durationMs,
    configFiles: meta.configFiles,
    ...(meta.target ? { target: meta.target } : {}),
    status,
    verdict,
    summary,
    ...(rootCauses ? { rootCauses } : {}),
    targets: run.targets,
  });
}

function verdictOf(targets: TargetResult[], summary: Summary): RunReport["verdict"] {
  const checks = targets.flatMap((t) => t.checks);
  if (checks.some((c) => (c.status === "fail" || c.status === "error") && decidesVerdict(c))) return "problems";
  return summary.warn + summary.error > 0 ? "warnings" : "ok";
}

/** Exit code for `--fail-on`: 1 when any check is at or above the level (an `error` counts as fail). */
export function exitCodeFor(report: RunReport, failOn: "fail" | "warn", opts: { ignoreAdvisory?: boolean } = {}): 0 | 1 {
  const threshold = failOn === "warn" ? STATUS_RANK.warn : STATUS_RANK.error;
  for (const t of report.targets) {
    for (const c of t.checks) {
      if (opts.ignoreAdvisory && c.advisory && failOn !== "warn") continue;
      if (!decidesVerdict(c) && failOn !== "warn") continue;
      if (STATUS_RANK[c.status] >= threshold) return 1;
    }
  }
  return 0;
}
