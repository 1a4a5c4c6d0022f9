// 2. A full awskms run against the manual `aws` CLI preflight; 3. a full gcpckms run, SDK load included.
// Both against the emulator's healthy scenarios, the CLI as a child process with default settings.
import { startEmulator } from "../emulator/index.js";
import { CLI } from "../support/cli.js";
import { scenarioEnv } from "../support/emulated-run.js";
import { findAwsCli, runManualPreflight } from "./aws-cli.js";
import { formatMs, formatRatio, median, repeat, runTimed, type Timed } from "./measure.js";
import type { BenchSection } from "./results.js";

const DOCTOR_RUNS = 7;
const MANUAL_RUNS = 5;
const TARGET_SPEEDUP = 10;
const CONTEXT = "App=vault-prod";

interface CheckCounts {
  total: number;
  byStatus: Record<string, number>;
}

function countChecks(run: Timed): CheckCounts {
  const report = JSON.parse(run.stdout) as { targets: { checks: { status: string }[] }[] };
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const t of report.targets) for (const c of t.checks) {
    total++;
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  }
  return { total, byStatus };
}

const describeCounts = (c: CheckCounts) => `${c.total} checks (${Object.entries(c.byStatus).map(([s, n]) => `${n} ${s}`).join(", ")})`;

interface DoctorRun {
  ms: number;
  counts: CheckCounts;
}

/** One run that must pass: a failing run is never reported as fast. */
async function doctorRun(args: string[], env: NodeJS.ProcessEnv): Promise<DoctorRun> {
  const r = await runTimed(process.execPath, [CLI, ...args, "--format", "json"], { env, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`vault-kms-doctor ${args.join(" ")} exited ${r.code}: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  return { ms: r.ms, counts: countChecks(r) };
}

export interface AwskmsRun {
  section: BenchSection;
  doctorMs: number;
}

export async function benchAwskmsVersusManual(opts: { install: boolean; log: (line: string) => void }): Promise<AwskmsRun> {
  const emu = await startEmulator("healthy");
  try {
    const env = scenarioEnv(emu);
    const args = ["-c", "fixtures/configs/awskms.hcl", "--kms-context", CONTEXT];
    const doctorOnce = () => doctorRun(args, env);
    const cli = await findAwsCli(opts);
    const row = { name: "all awskms checks vs the manual `aws` preflight", target: `≥ ${TARGET_SPEEDUP}× faster` };
    const notesFor = (doctor: { counts: CheckCounts }, rounds: number) => [
      `Emulator scenario \`healthy\`; \`vault-kms-doctor -c fixtures/configs/awskms.hcl --kms-context ${CONTEXT} --format json\`, median of ${rounds} runs after one warm-up:`,
      `${describeCounts(doctor.counts)}, including both round trips (without a context, as Vault does, and with ${CONTEXT}).`,
    ];
    if (typeof cli === "string") {
      const runs = await repeat(DOCTOR_RUNS, doctorOnce);
      const doctorMs = median(runs.map((r) => r.ms));
      const notes = [...notesFor(runs[runs.length - 1]!, DOCTOR_RUNS), `Manual sequence skipped: ${cli}.`];
      return { doctorMs, section: { id: 2, title: "Full awskms run", rows: [{ ...row, doctor: formatMs(doctorMs), baseline: "skipped", met: "skipped" }], notes } };
    }
    // Interleaved rounds (doctor, then the manual sequence) so a change in machine load hits both alike.
    const rounds = await repeat(MANUAL_RUNS, async () => ({ doctor: await doctorOnce(), manual: await runManualPreflight(cli, env, "alias/vault-unseal", CONTEXT) }));
    const doctorMs = median(rounds.map((r) => r.doctor.ms));
    const manualMs = median(rounds.map((r) => r.manual.totalMs));
    const speedup = manualMs / doctorMs;
    const perStep = rounds[rounds.length - 1]!.manual.steps.map((s) => `${s.label} ${formatMs(s.ms)}`).join(", ");
    const notes = [
      ...notesFor(rounds[rounds.length - 1]!.doctor, MANUAL_RUNS),
      `Baseline: ${cli.version} (\`${cli.command}\`), the six commands one after another (sum of their wall times, no typing time), median of ${MANUAL_RUNS} sequences,`,
      `each right after one doctor run; last sequence: ${perStep}. The manual sequence checks identity, key, rotation, one round trip with a context and an IAM simulation;`,
      "it says nothing about the config, the credential source Vault will pick, the context-free round trip Vault really does, or deletion protection.",
    ];
    return {
      doctorMs,
      section: { id: 2, title: "Full awskms run", rows: [{ ...row, doctor: formatMs(doctorMs), baseline: formatMs(manualMs), ratio: `${formatRatio(speedup)} faster`, met: speedup >= TARGET_SPEEDUP }], notes },
    };
  } finally {
    await emu.close();
  }
}

export async function benchGcpckms(opts: { gcpckmsRegistered: boolean; awskmsMs: number }): Promise<BenchSection> {
  const emu = await startEmulator("gcp-healthy");
  try {
    const env = scenarioEnv(emu);
    const runs = await repeat(DOCTOR_RUNS, () => doctorRun(["-c", "fixtures/configs/gcpckms.hcl"], env));
    const doctor = { medianMs: median(runs.map((r) => r.ms)), counts: runs[runs.length - 1]!.counts };
    const notes = [
      `Emulator scenario \`gcp-healthy\` (gRPC over TLS on loopback); \`vault-kms-doctor -c fixtures/configs/gcpckms.hcl --format json\`, median of ${DOCTOR_RUNS} runs after one warm-up: ${describeCounts(doctor.counts)}.`,
      "Includes loading @google-cloud/kms, google-gax and gRPC. No target of its own; compared with the awskms run above.",
    ];
    if (!opts.gcpckmsRegistered) notes.push("gcpckms checks are not registered in this build: only the config checks ran.");
    return {
      id: 3,
      title: "Full gcpckms run",
      rows: [{ name: "all gcpckms checks vs the awskms run", doctor: formatMs(doctor.medianMs), baseline: `${formatMs(opts.awskmsMs)} (awskms)`, ratio: formatRatio(doctor.medianMs / opts.awskmsMs), met: "n/a" }],
      notes,
    };
  } finally {
    await emu.close();
  }
}
