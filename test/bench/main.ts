// `npm run bench`: startup, a full run against the manual `aws` preflight, a gcpckms run, time to verdict on a
// dead endpoint, gate reaction, explain throughput, scale and install from the tarball, side by side on this machine. A script, not a
// test: it prints a markdown table and, with --write, writes BENCHMARKS.md. Flags: --write, --install
// (allow `apt-get install -y awscli`), --only 1,4 (sections by number).
import { existsSync, writeFileSync } from "node:fs";
import { baseEnv, CLI, ROOT } from "../support/cli.js";
import { describeMachine, loadAverage, renderBenchmarksMd } from "./benchmarks-md.js";
import { benchColdStart } from "./cold-start.js";
import { benchDeadEndpoint } from "./dead-endpoint.js";
import { benchExplainThroughput } from "./explain-throughput.js";
import { benchAwskmsVersusManual, benchGcpckms } from "./full-run.js";
import { benchGateReaction } from "./gate-reaction.js";
import { runTimed } from "./measure.js";
import { renderNotes, renderTable, skippedSection, type BenchSection } from "./results.js";
import { benchScale } from "./scale.js";
import { benchLargeInput } from "./large-input.js";
import { benchInstall } from "./install.js";

const TITLES: Record<number, string> = {
  1: "Cold start",
  2: "Full awskms run",
  3: "Full gcpckms run",
  4: "Dead endpoint",
  5: "Gate reaction",
  6: "explain throughput",
  7: "Scale",
  8: "Large input",
  9: "Install from the tarball",
};

function parseFlags(argv: string[]): { write: boolean; install: boolean; only?: Set<number> } {
  const flags = { write: false, install: false, only: undefined as Set<number> | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--write") flags.write = true;
    else if (a === "--install") flags.install = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const list = a.includes("=") ? a.slice("--only=".length) : argv[++i] ?? "";
      flags.only = new Set(list.split(",").map(Number).filter((n) => TITLES[n]));
    } else throw new Error(`unknown flag ${a} (use --write, --install, --only 1,4)`);
  }
  return flags;
}

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing; build first (npm run build)\n`);
    return 2;
  }
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const help = await runTimed(process.execPath, [CLI, "--help"], { env: baseEnv() });
  const checks = await runTimed(process.execPath, [CLI, "list-checks"], { env: baseEnv() });
  const gcpckmsRegistered = /^gcpckms\./m.test(checks.stdout);
  const gateAvailable = /^\s+vault-kms-doctor gate\b/m.test(help.stdout);
  log(`${describeMachine()}; load ${loadAtStart}; gcpckms checks ${gcpckmsRegistered ? "registered" : "not registered"}; gate ${gateAvailable ? "available" : "not available"}`);

  let awskmsMs = NaN;
  const plan: [number, () => Promise<BenchSection>][] = [
    [1, () => benchColdStart({ gcpckmsRegistered })],
    [2, async () => {
      const r = await benchAwskmsVersusManual({ install: flags.install, log });
      awskmsMs = r.doctorMs;
      return r.section;
    }],
    [3, () => benchGcpckms({ gcpckmsRegistered, awskmsMs })],
    [4, () => benchDeadEndpoint()],
    [5, () => gateAvailable
      ? benchGateReaction(CLI)
      : Promise.resolve(skippedSection(5, TITLES[5]!, "Pending: this build's --help lists no `gate` command (issue 8), so there is nothing to measure yet."))],
    [6, () => benchExplainThroughput(log)],
    [7, () => benchScale()],
    [8, () => benchLargeInput()],
    [9, () => benchInstall(log)],
  ];

  const sections: BenchSection[] = [];
  for (const [id, run] of plan) {
    if (flags.only && !flags.only.has(id)) continue;
    log(`${id}. ${TITLES[id]}…`);
    try {
      sections.push(await run());
    } catch (err) {
      // One broken section must not hide the others' numbers.
      sections.push({ id, title: TITLES[id]!, rows: [{ name: "failed", doctor: "error", met: false }], notes: [`The section failed: ${(err as Error).message.slice(0, 500)}`] });
    }
  }
  const durationMs = performance.now() - started;
  const loadAtEnd = loadAverage();
  log(`done in ${(durationMs / 1000).toFixed(0)} s; load ${loadAtEnd}`);

  process.stdout.write(`\n${renderTable(sections)}\n${renderNotes(sections)}\n`);
  if (flags.write) {
    writeFileSync(`${ROOT}BENCHMARKS.md`, renderBenchmarksMd(sections, { startedAt, durationMs, loadAtStart, loadAtEnd }));
    log("wrote BENCHMARKS.md");
  }
  return 0;
}

process.exitCode = await main();
