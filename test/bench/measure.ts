// Wall-clock timing of child processes (spawn to exit, as a user or an init container sees it), medians after
// a warm-up, and peak RSS. Always asynchronous: the emulator answers from this same process.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/cli.js";

export interface Timed {
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed at timeoutMs. */
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Called right after spawn, with the spawn instant (performance.now()). */
  onSpawn?: (startedAt: number, child: import("node:child_process").ChildProcess) => void;
}

export function runTimed(command: string, args: string[], opts: RunOptions = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    opts.onSpawn?.(started, child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code, signal, stdout, stderr, timedOut });
    });
  });
}

/** One discarded warm-up, then `runs` measured repetitions, one after another. */
export async function repeat<T>(runs: number, once: () => Promise<T>, opts: { warmUp?: number } = {}): Promise<T[]> {
  for (let i = 0; i < (opts.warmUp ?? 1); i++) await once();
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** "3.10× faster" when the baseline took longer than the doctor, "1.58× slower" when it did not. */
export function formatSpeedup(baselineMs: number, doctorMs: number): string {
  return baselineMs >= doctorMs ? `${formatRatio(baselineMs / doctorMs)} faster` : `${formatRatio(doctorMs / baselineMs)} slower`;
}

export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×` : "—";
}

export const TIME_V = "/usr/bin/time";
export const HAS_TIME_V = existsSync(TIME_V);
const RSS_PRELOAD = new URL("./preload/rss-at-exit.mjs", import.meta.url).href;

export interface TimedWithRss extends Timed {
  peakRssKb: number;
  rssSource: string;
}

/**
 * Runs `node <args>` and reports its peak RSS: GNU time's "Maximum resident set size" when /usr/bin/time exists,
 * else the child's own process.resourceUsage().maxRSS written at exit by a preload.
 */
export async function runNodeWithRss(args: string[], opts: RunOptions = {}): Promise<TimedWithRss> {
  if (HAS_TIME_V) {
    const t = await runTimed(TIME_V, ["-v", process.execPath, ...args], opts);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(t.stderr);
    return { ...t, peakRssKb: m ? Number(m[1]) : NaN, rssSource: "/usr/bin/time -v" };
  }
  const file = join(tmpdir(), `vkd-bench-rss-${process.pid}-${Date.now()}`);
  try {
    const t = await runTimed(process.execPath, ["--import", RSS_PRELOAD, ...args], { ...opts, env: { ...(opts.env ?? process.env), VKD_BENCH_RSS_FILE: file } });
    const kb = existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : NaN;
    return { ...t, peakRssKb: kb, rssSource: "process.resourceUsage().maxRSS" };
  } finally {
    rmSync(file, { force: true });
  }
}
