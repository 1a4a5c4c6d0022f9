// The report document every format is rendered from. It is redacted once, here, before any reporter sees it.
import type { RunResult, TargetResult } from "../runner.js";
import { STATUS_RANK, type Status } from "../model.js";
import { redact } from "../redact.js";
import { buildRootCauses, type RootCause } from "../causes/root-causes.js";

export const SCHEMA_VERSION = 1;

export interface Summary { pass: number; warn: number; fail: number; error: number; skip: number }

export interface RunReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  configFiles: string[];
  /** The worst status over every check that counts towards the verdict. */
  status: Status;
  /** Will this Vault unseal? `unseal-likely` only when nothing failed or could not be checked. */
  verdict: "ok" | "warnings" | "problems";
  summary: Summary;
  /** Why, most specific first, each with its complete fix: present whenever the verdict is not `ok`. */
  rootCauses?: RootCause[];
  targets: TargetResult[];
}

export function summarise(targets: TargetResult[]): Summary {
  const s: Summary = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (const t of targets) for (const c of t.checks) s[c.status]++;
  return s;
}

export function buildReport(run: RunResult, meta: { version: string; startedAt: Date; configFiles: string[] }): RunReport {
  const summary = summarise(run.targets);
  const status = run.targets.reduce<Status>((w, t) => (STATUS_RANK[t.status] > STATUS_RANK[w] ? t.status : w), "skip");
  const verdict: RunReport["verdict"] = summary.fail + summary.error > 0 ? "problems" : summary.warn > 0 ? "warnings" : "ok";
  const rootCauses = verdict === "ok" ? undefined : buildRootCauses(run.targets);
  return redact({
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "vault-kms-doctor", version: meta.version },
    startedAt: meta.startedAt.toISOString(),
    durationMs: run.durationMs,
    configFiles: meta.configFiles,
    status,
    verdict,
    summary,
    ...(rootCauses ? { rootCauses } : {}),
    targets: run.targets,
  });
}

/** Exit code for `--fail-on`: 1 when any check is at or above the level (an `error` counts as fail). */
export function exitCodeFor(report: RunReport, failOn: "fail" | "warn", opts: { ignoreAdvisory?: boolean } = {}): 0 | 1 {
  const threshold = failOn === "warn" ? STATUS_RANK.warn : STATUS_RANK.error;
  for (const t of report.targets) {
    for (const c of t.checks) {
      if (opts.ignoreAdvisory && c.advisory && failOn !== "warn") continue;
      if (STATUS_RANK[c.status] >= threshold) return 1;
    }
  }
  return 0;
}
