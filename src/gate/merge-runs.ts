// Folds a later run into an earlier one: checks that ran again replace their earlier result, the rest keep
// theirs. The gate retries only what has not passed; migrate runs each seal in its own mode.
import { worstStatus } from "../model.js";
import type { RunResult, TargetResult } from "../runner.js";

export function mergeRuns(base: RunResult, update: RunResult): RunResult {
  const targets: TargetResult[] = base.targets.map((t) => ({ ...t, checks: [...t.checks] }));
  for (const u of update.targets) {
    const existing = targets.find((t) => t.id === u.id && t.kind === u.kind);
    if (!existing) {
      targets.push({ ...u, checks: [...u.checks] });
      continue;
    }
    for (const c of u.checks) {
      const i = existing.checks.findIndex((x) => x.id === c.id);
      if (i >= 0) existing.checks[i] = c;
      else existing.checks.push(c);
    }
    existing.status = worstStatus(existing.checks.map((c) => c.status));
  }
  return { targets, durationMs: base.durationMs + update.durationMs };
}
