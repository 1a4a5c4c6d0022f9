// `--only`, `--skip` and `--require` name checks; a name that matches none is a typo, and a run that selects
// nothing has checked nothing: both are usage errors (exit 2), never a pass.
import { UsageError } from "../exit-codes.js";
import { checkIds, groupOf, matchesPattern } from "../registry.js";
import { editDistance } from "../config/seal-schema.js";
import type { RunResult } from "../runner.js";

function closest(pattern: string, ids: string[]): string | undefined {
  const candidates = [...ids, ...new Set(ids.map((id) => `${groupOf(id)}.*`))];
  let best: { id: string; d: number } | undefined;
  for (const id of candidates) {
    const d = editDistance(pattern, id);
    if (d <= 4 && (!best || d < best.d)) best = { id, d };
  }
  return best?.id;
}

/** Every pattern must name at least one check this version has. */
export function validateSelection(flag: string, patterns: string[] | undefined): void {
  if (!patterns) return;
  const ids = checkIds();
  for (const p of patterns) {
    if (p.trim() === "") throw new UsageError(`--${flag} '': an empty check id; run 'vault-kms-doctor list-checks' for the ids`);
    if (ids.some((id) => matchesPattern(id, p))) continue;
    const near = closest(p, ids);
    throw new UsageError(`--${flag} ${p}: no check has this id${near ? `; did you mean ${near}?` : ""} (run 'vault-kms-doctor list-checks')`);
  }
}

/** A run in which no check ran (everything skipped, or nothing applies to this config) has verified nothing. */
export function assertSomethingChecked(run: RunResult, flags: string): void {
  if (run.targets.some((t) => t.checks.length > 0)) return;
  throw new UsageError(`no check ran${flags ? ` (${flags})` : ""}: nothing was verified. Run 'vault-kms-doctor list-checks' to see which checks apply`);
}

/** How the selection was asked for, to name it when it selects nothing. */
export function describeSelection(argv: Record<string, unknown>): string {
  return ["only", "skip", "require"]
    .filter((f) => Array.isArray(argv[f]) && (argv[f] as string[]).length > 0)
    .map((f) => (argv[f] as string[]).map((p) => `--${f} ${p}`).join(" "))
    .join(" ");
}
