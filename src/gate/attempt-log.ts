// The gate's log lines, made for `kubectl logs`: one compact line per attempt (text) or one JSON object per
// line (NDJSON) for log pipelines, and one closing record. Messages come from the redacted report.
import type { RunReport } from "../report/report.js";
import type { AttemptSummary, GateResult } from "./gate-loop.js";
import { escapeControls, jsonTerminalSafe } from "../report/terminal-text.js";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const clip = (text: string, max = 180) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function attemptText(a: AttemptSummary): string {
  const head = `vault-kms-doctor gate: attempt ${a.attempt} at ${seconds(a.elapsedMs)}`;
  if (a.passed) return `${head}: required checks pass\n`;
  const ids = [...new Set(a.blocking.map((b) => escapeControls(b.check)))];
  const first = a.blocking[0]!;
  const cause = `${first.cause ?? first.code}: ${clip(escapeControls(first.message))}`;
  const next = a.nextDelayMs !== undefined ? `; retrying in ${seconds(a.nextDelayMs)}` : "";
  return `${head}: ${ids.length} failing (${ids.join(", ")}) — ${cause}${next}\n`;
}

export function attemptJson(a: AttemptSummary): string {
  return `${jsonTerminalSafe(JSON.stringify({
    event: "attempt",
    attempt: a.attempt,
    elapsedMs: a.elapsedMs,
    passed: a.passed,
    failing: a.blocking.map((b) => ({ target: b.target, check: b.check, status: b.status, code: b.code, cause: b.cause ?? null, message: b.message })),
    nextDelayMs: a.nextDelayMs ?? null,
  }))}\n`;
}

const OUTCOME_TEXT: Record<GateResult["outcome"], string> = {
  passed: "open: the required checks pass",
  failed: "closed: required checks fail (no --wait)",
  deadline: "closed: the required checks still fail at the --wait deadline",
  interrupted: "stopped by a signal before the checks passed",
};

export function resultText(r: GateResult, signalName?: string): string {
  // Nothing here comes from outside (outcome, counts, a signal name), so no escaping is needed.
  const by = r.outcome === "interrupted" && signalName ? ` (${signalName})` : "";
  return `vault-kms-doctor gate: ${OUTCOME_TEXT[r.outcome]}${by} after ${r.attempts} attempt${r.attempts === 1 ? "" : "s"} in ${seconds(r.elapsedMs)}.\n`;
}

export function resultJson(r: GateResult, exitCode: number, signalName?: string): string {
  const report: RunReport | null = r.report ?? null;
  return `${jsonTerminalSafe(JSON.stringify({ event: "result", outcome: r.outcome, signal: signalName ?? null, exitCode, attempts: r.attempts, elapsedMs: r.elapsedMs, report }))}\n`;
}
