// The gate's retry loop: run the required checks, and until they pass or the wait expires, retry what has not
// passed after a jittered backoff. Never sleeps or runs past the deadline; a stop signal ends it at once.
import type { RunResult } from "../runner.js";
import type { RunReport } from "../report/report.js";
import { backoffDelay, sleep, GATE_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { mergeRuns } from "./merge-runs.js";
import { blockingChecks, checksToRetry, type BlockingCheck, type GateSelection } from "./required.js";

/** An attempt with less time than this left before the deadline could not finish a single KMS call. */
const MIN_ATTEMPT_MS = 250;

export type GateOutcome = "passed" | "failed" | "deadline" | "interrupted";

export interface AttemptSummary {
  attempt: number;
  elapsedMs: number;
  passed: boolean;
  blocking: BlockingCheck[];
  checksRun: number;
  /** Set when another attempt follows. */
  nextDelayMs?: number;
}

export interface GateResult {
  outcome: GateOutcome;
  attempts: number;
  elapsedMs: number;
  /** The report of the last completed attempt (with earlier passes folded in); none if interrupted first. */
  report?: RunReport;
}

export interface GateLoopOptions {
  /** 0: one attempt, no retries. */
  waitMs: number;
  /** Budget of one attempt (--timeout); cut to what is left of the wait. */
  attemptBudgetMs: number;
  failOn: "fail" | "warn";
  selection: GateSelection;
  /** Aborted on SIGTERM/SIGINT. */
  signal: AbortSignal;
  runAttempt(selection: GateSelection, budgetMs: number, signal: AbortSignal): Promise<RunResult>;
  toReport(run: RunResult): RunReport;
  onAttempt(a: AttemptSummary): void;
  backoff?: BackoffPolicy;
  random?: () => number;
}

/** Resolves with the attempt's result, or undefined as soon as the signal aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((v) => { signal.removeEventListener("abort", onAbort); resolve(v); }, (e) => { signal.removeEventListener("abort", onAbort); reject(e); });
  });
}

export async function runGate(o: GateLoopOptions): Promise<GateResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = started + o.waitMs;
  let merged: RunResult | undefined;
  let report: RunReport | undefined;
  let attempt = 0;
  for (;;) {
    attempt++;
    const left = deadline - performance.now();
    const budget = o.waitMs > 0 ? Math.max(1, Math.floor(Math.min(o.attemptBudgetMs, left))) : o.attemptBudgetMs;
    const selection = report ? { only: checksToRetry(report, o.failOn) } : o.selection;
    const run = await unlessAborted(o.runAttempt(selection, budget, o.signal), o.signal);
    if (!run) return { outcome: "interrupted", attempts: attempt - 1, elapsedMs: elapsed(), report };
    merged = merged ? mergeRuns(merged, run) : run;
    report = o.toReport(merged);
    const blocking = blockingChecks(report, o.failOn);
    const summary: AttemptSummary = { attempt, elapsedMs: elapsed(), passed: blocking.length === 0, blocking, checksRun: run.targets.reduce((n, t) => n + t.checks.length, 0) };
    if (summary.passed) {
      o.onAttempt(summary);
      return { outcome: "passed", attempts: attempt, elapsedMs: elapsed(), report };
    }
    // The next attempt must start early enough to get MIN_ATTEMPT_MS before the deadline, or there is none.
    const latestStart = deadline - MIN_ATTEMPT_MS - performance.now();
    if (o.waitMs === 0 || latestStart < 0) {
      o.onAttempt(summary);
      return { outcome: o.waitMs === 0 ? "failed" : "deadline", attempts: attempt, elapsedMs: elapsed(), report };
    }
    const delay = Math.min(backoffDelay(attempt, o.backoff ?? GATE_BACKOFF, o.random), Math.floor(latestStart));
    o.onAttempt({ ...summary, nextDelayMs: delay });
    await sleep(delay, o.signal);
    if (o.signal.aborted) return { outcome: "interrupted", attempts: attempt, elapsedMs: elapsed(), report };
  }
}
