// 7. Scale: 1, 10 and 50 awskms seal targets in one run against the emulator, from a generated fleet file
// (--fleet) checked with the default concurrency cap.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../emulator/index.js";
import { CLI } from "../support/cli.js";
import { scenarioEnv } from "../support/emulated-run.js";
import { formatMs, formatRatio, median, repeat, runTimed, type Timed } from "./measure.js";
import type { BenchRow, BenchSection } from "./results.js";

const COUNTS = [1, 10, 50];
const RUNS = 3;
/** "Far less than linear": each target beyond the first costs at most this fraction (1/5) of a whole 1-target run. */
const MARGINAL_SHARE = 5;

function writeFleet(file: string, targets: number): void {
  const list = Array.from({ length: targets }, (_, i) => ({
    name: `aws-${String(i + 1).padStart(2, "0")}`,
    type: "awskms",
    settings: { region: "us-east-1", kms_key_id: "alias/vault-unseal" },
  }));
  writeFileSync(file, JSON.stringify({ targets: list }));
}

/** Seal targets whose round trip passed: proof that every target was really checked, not skipped. */
function roundTripsPassed(run: Timed): number {
  const report = JSON.parse(run.stdout) as { targets: { checks: { id: string; status: string }[] }[] };
  return report.targets.filter((t) => t.checks.some((c) => c.id === "awskms.round-trip" && c.status === "pass")).length;
}

export async function benchScale(): Promise<BenchSection> {
  const emu = await startEmulator("healthy");
  const results: { seals: number; ms: number; passed: number; warning?: string }[] = [];
  try {
    for (const seals of COUNTS) {
      const dir = mkdtempSync(join(tmpdir(), "vkd-bench-seals-"));
      try {
        const fleet = join(dir, "fleet.json");
        writeFleet(fleet, seals);
        const runs = await repeat(RUNS, () => runTimed(process.execPath, [CLI, "--fleet", fleet, "--format", "json"], { env: scenarioEnv(emu), timeoutMs: 120_000 }));
        const last = runs[runs.length - 1]!;
        results.push({ seals, ms: median(runs.map((r) => r.ms)), passed: roundTripsPassed(last), warning: /\w+Warning: [^\n]*/.exec(last.stderr)?.[0] });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await emu.close();
  }
  const one = results[0]!;
  const rows: BenchRow[] = results.map((r) => {
    if (r.seals === 1) return { name: "1 seal target", doctor: `${formatMs(r.ms)} (${r.passed}/1 round trips pass)`, met: "n/a" };
    const perExtra = (r.ms - one.ms) / (r.seals - 1);
    return {
      name: `${r.seals} seal targets`,
      doctor: `${formatMs(r.ms)} (${r.passed}/${r.seals} round trips pass; ${formatMs(perExtra)} per extra target)`,
      baseline: `${formatMs(one.ms * r.seals)} if linear`,
      ratio: `${formatRatio(r.ms / one.ms)} the 1-target time`,
      target: `per extra target ≤ ${formatMs(one.ms / MARGINAL_SHARE)}`,
      met: r.passed === r.seals && perExtra <= one.ms / MARGINAL_SHARE,
    };
  });
  const notes = [
    "Each target is an awskms entry (unique name, same key) in a generated fleet file,",
    `run as \`vault-kms-doctor --fleet FILE --format json\` (default --concurrency) against the \`healthy\` emulator, median of ${RUNS} runs after one warm-up.`,
    "\"Far less than linear\" is read as: each target beyond the first adds at most a fifth of a whole 1-target run (startup and module loading are paid once).",
  ];
  const warnings = new Map<string, number[]>();
  for (const r of results) if (r.warning) warnings.set(r.warning, [...(warnings.get(r.warning) ?? []), r.seals]);
  for (const [warning, at] of warnings) notes.push(`With ${at.join(" and ")} targets the CLI printed on stderr: \`${warning.slice(0, 200)}\`.`);
  return { id: 7, title: "Scale", rows, notes };
}
