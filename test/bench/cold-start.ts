// 1. Cold start: `--version` and `--help` against bare `node -e 0`, and which packages real runs load.
import { startEmulator } from "../emulator/index.js";
import { baseEnv, CLI } from "../support/cli.js";
import { scenarioEnv } from "../support/emulated-run.js";
import { formatMs, formatRatio, median, repeat, runTimed } from "./measure.js";
import { describePackages, GOOGLE_PACKAGES, recordModuleLoads } from "./module-loads.js";
import type { BenchRow, BenchSection } from "./results.js";

const RUNS = 15;
const TARGET_RATIO = 1.5;

/** Medians of each command, run in interleaved rounds so a change in machine load hits all of them alike. */
async function interleavedMedians(commands: string[][]): Promise<number[]> {
  const round = async (): Promise<number[]> => {
    const times: number[] = [];
    for (const args of commands) {
      const r = await runTimed(process.execPath, args, { env: baseEnv() });
      if (r.code !== 0) throw new Error(`node ${args.join(" ")} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
      times.push(r.ms);
    }
    return times;
  };
  const rounds = await repeat(RUNS, round);
  return commands.map((_, i) => median(rounds.map((round) => round[i]!)));
}

export async function benchColdStart(opts: { gcpckmsRegistered: boolean }): Promise<BenchSection> {
  const flags = ["--version", "--help"];
  const [bare, ...doctor] = await interleavedMedians([["-e", "0"], ...flags.map((f) => [CLI, f])]);
  const rows: BenchRow[] = flags.map((flag, i) => {
    const ratio = doctor[i]! / bare!;
    return { name: `\`${flag}\``, doctor: formatMs(doctor[i]!), baseline: `${formatMs(bare!)} (\`node -e 0\`)`, ratio: formatRatio(ratio), target: `≤ ${TARGET_RATIO}×`, met: ratio <= TARGET_RATIO };
  });

  const notes = [
    `Median of ${RUNS} interleaved rounds (bare node, --version, --help) after one warm-up round, spawn to exit. The Google SDK must not load unless a gcpckms seal is checked;`,
    "modules were recorded with a `node --import` preload (test/bench/preload/module-log.mjs: an ES module load hook plus the CommonJS require cache at exit), not by changing src/.",
  ];

  const help = await recordModuleLoads(["--help"], baseEnv());
  notes.push(`\`--help\` loads ${help.modules} modules: ${help.ownModules} of the project's own and ${describePackages(help)}.`);

  const aws = await startEmulator("healthy");
  try {
    const loads = await recordModuleLoads(["-c", "fixtures/configs/awskms.hcl", "--format", "json"], scenarioEnv(aws));
    rows.push({
      name: "modules on an awskms-only run",
      doctor: `${loads.modules} modules, ${describePackages(loads)}`,
      target: "no Google SDK",
      met: loads.exitCode === 0 && loads.googlePackages.length === 0,
    });
    if (loads.googlePackages.length > 0) notes.push(`The awskms-only run loaded ${loads.googlePackages.join(", ")}.`);
  } finally {
    await aws.close();
  }

  const gcp = await startEmulator("gcp-healthy");
  try {
    const loads = await recordModuleLoads(["-c", "fixtures/configs/gcpckms.hcl", "--format", "json"], scenarioEnv(gcp));
    const loaded = loads.googlePackages;
    rows.push({
      name: "modules on a gcpckms run",
      doctor: `${loads.modules} modules; Google: ${loaded.length > 0 ? loaded.join(", ") : "none"}`,
      target: opts.gcpckmsRegistered ? "Google SDK loaded" : undefined,
      met: opts.gcpckmsRegistered ? loaded.includes("@google-cloud/kms") : "n/a",
    });
    if (!opts.gcpckmsRegistered) notes.push("gcpckms checks are not registered in this build, so the gcpckms run checks only the config and loads no Google package.");
  } finally {
    await gcp.close();
  }
  notes.push(`Google packages looked for: ${GOOGLE_PACKAGES.join(", ")}.`);
  return { id: 1, title: "Cold start", rows, notes };
}
