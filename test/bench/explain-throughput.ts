// 6. `explain --file` over generated Vault logs of 10 MB and 200 MB: throughput (whole process, startup
// included) and peak RSS, which must stay flat as the log grows 20×.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, CLI } from "../support/cli.js";
import { median, repeat, runNodeWithRss, type TimedWithRss } from "./measure.js";
import type { BenchRow, BenchSection } from "./results.js";
import { writeVaultLog, type GeneratedLog } from "./vault-log.js";

const MB = 1_000_000;
const SIZES = [{ mb: 10, runs: 3 }, { mb: 200, runs: 1 }];
const TARGET_MBPS = 50;
/** "Flat": the 200 MB run may use at most this much more peak memory than the 10 MB run. */
const FLAT_FACTOR = 1.5;

interface ExplainResult {
  mbps: number;
  ms: number;
  peakRssMb: number;
  rssSource: string;
  matched: number;
  causes: number;
  log: GeneratedLog;
}

function parseReport(run: TimedWithRss): { occurrences: number; causes: number } {
  const report = JSON.parse(run.stdout) as { matches: { cause: string; occurrences: number }[] };
  return { occurrences: report.matches.reduce((n, m) => n + m.occurrences, 0), causes: new Set(report.matches.map((m) => m.cause)).size };
}

async function explainLog(path: string, log: GeneratedLog, runs: number): Promise<ExplainResult> {
  // The warm-up of the big log is the small log's runs, which come first.
  const timed = await repeat(runs, () => runNodeWithRss([CLI, "explain", "--file", path, "--format", "json"], { env: baseEnv(), timeoutMs: 300_000 }), { warmUp: runs > 1 ? 1 : 0 });
  const bad = timed.find((r) => r.code !== 0 && r.code !== 1);
  if (bad) throw new Error(`explain exited ${bad.code}: ${bad.stderr.slice(0, 300)}`);
  const ms = median(timed.map((r) => r.ms));
  const { occurrences, causes } = parseReport(timed[timed.length - 1]!);
  return { ms, mbps: log.bytes / MB / (ms / 1000), peakRssMb: Math.max(...timed.map((r) => r.peakRssKb)) / 1024, rssSource: timed[0]!.rssSource, matched: occurrences, causes, log };
}

export async function benchExplainThroughput(log: (line: string) => void): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), "vkd-bench-logs-"));
  const results: ExplainResult[] = [];
  try {
    for (const { mb, runs } of SIZES) {
      const path = join(dir, `vault-${mb}mb.log`);
      log(`generating a ${mb} MB Vault log…`);
      const generated = writeVaultLog(path, mb * MB);
      results.push(await explainLog(path, generated, runs));
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows: BenchRow[] = results.map((r) => ({
    name: `${Math.round(r.log.bytes / MB)} MB log`,
    doctor: `${r.mbps.toFixed(0)} MB/s (${(r.ms / 1000).toFixed(2)} s), peak RSS ${r.peakRssMb.toFixed(0)} MB`,
    target: `≥ ${TARGET_MBPS} MB/s`,
    met: r.mbps >= TARGET_MBPS,
  }));
  const [small, big] = results as [ExplainResult, ExplainResult];
  const growth = big.peakRssMb / small.peakRssMb;
  rows.push({
    name: "peak RSS, 200 MB vs 10 MB",
    doctor: `${big.peakRssMb.toFixed(0)} MB vs ${small.peakRssMb.toFixed(0)} MB`,
    ratio: `${growth.toFixed(2)}×`,
    target: `flat (≤ ${FLAT_FACTOR}×)`,
    met: growth <= FLAT_FACTOR,
  });
  return {
    id: 6,
    title: "explain throughput",
    rows,
    notes: [
      "`explain --file LOG --format json` on generated hclog-format Vault logs: everyday INFO/DEBUG/WARN lines with one real seal error",
      `(fixtures/logs/error-samples.jsonl, multi-line ones kept) after every 50 lines; ${small.log.errors} and ${big.log.errors} errors written,`,
      `${small.matched} and ${big.matched} occurrences explained (${big.causes} distinct causes). MB = 10^6 bytes; time is spawn to exit, so startup is included;`,
      `10 MB: median of ${SIZES[0]!.runs} runs after one warm-up; 200 MB: one run. Peak RSS from ${small.rssSource}. The logs live in a temp dir and are deleted.`,
    ],
  };
}
