// 4. Time to verdict on a dead endpoint: the emulator accepting and never answering (every service hangs), and
// a closed port (connection refused). The doctor with default settings against a bare SDK DescribeKey.
import { startEmulator, type Emulator } from "../emulator/index.js";
import { CLI } from "../support/cli.js";
import { scenarioEnv } from "../support/emulated-run.js";
import { formatMs, formatRatio, formatSpeedup, median, repeat, runTimed, type Timed } from "./measure.js";
import type { BenchRow, BenchSection } from "./results.js";

const DOCTOR_RUNS = 3;
const BASELINE_CAP_MS = 60_000;
const SDK_BASELINE = new URL("./sdk-describe-key.mjs", import.meta.url).pathname;

/** The emulator's env with every AWS endpoint pointed at `endpoint`. */
export function envWithEndpoint(emu: Emulator, endpoint: string): NodeJS.ProcessEnv {
  return scenarioEnv(emu, { AWS_ENDPOINT_URL_KMS: endpoint, AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint });
}

/** A healthy scenario's env aimed at a port nobody listens on: the emulator's own, just after it closed. */
export async function refusedEnv(): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  const emu = await startEmulator("healthy");
  const port = emu.aws!.port;
  const env = envWithEndpoint(emu, `http://127.0.0.1:${port}`);
  await emu.close();
  return { env, port };
}

/** The doctor's default per-call deadline, as its --help documents it. */
export async function defaultCallTimeoutMs(): Promise<number> {
  const help = await runTimed(process.execPath, [CLI, "--help"]);
  const m = /--call-timeout[\s\S]{0,300}?\[default: "(\d+)(ms|s)"\]/.exec(help.stdout);
  if (!m) throw new Error("--help does not document a --call-timeout default");
  return Number(m[1]) * (m[2] === "ms" ? 1 : 1000);
}

function hasUnreachableVerdict(run: Timed): boolean {
  try {
    const report = JSON.parse(run.stdout) as { targets: { checks: { findings: { cause?: string }[] }[] }[] };
    return report.targets.some((t) => t.checks.some((c) => c.findings.some((f) => f.cause === "network_unreachable")));
  } catch {
    return false;
  }
}

async function doctorToVerdict(env: NodeJS.ProcessEnv): Promise<{ medianMs: number; verdicts: number }> {
  const runs = await repeat(DOCTOR_RUNS, () => runTimed(process.execPath, [CLI, "-c", "fixtures/configs/awskms.hcl", "--format", "json"], { env, timeoutMs: 120_000 }));
  return { medianMs: median(runs.map((r) => r.ms)), verdicts: runs.filter(hasUnreachableVerdict).length };
}

interface Baseline {
  ms: number;
  text: string;
  outcome: string;
}

async function sdkBaseline(env: NodeJS.ProcessEnv): Promise<Baseline> {
  const r = await runTimed(process.execPath, [SDK_BASELINE, "alias/vault-unseal"], { env, timeoutMs: BASELINE_CAP_MS });
  if (r.timedOut) return { ms: Infinity, text: `> ${BASELINE_CAP_MS / 1000} s`, outcome: "no answer, killed at the cap" };
  let outcome = `exit ${r.code}`;
  try {
    const o = JSON.parse(r.stdout) as { ok: boolean; name?: string; code?: string; attempts?: number };
    outcome = o.ok ? "succeeded" : `${o.code ?? o.name}${o.attempts ? ` after ${o.attempts} attempts` : ""}`;
  } catch {
    /* keep the exit code */
  }
  return { ms: r.ms, text: formatMs(r.ms), outcome };
}

function row(name: string, doctor: { medianMs: number; verdicts: number }, baseline: Baseline, deadlineMs: number): BenchRow {
  const limit = deadlineMs + 1000;
  return {
    name,
    doctor: `${formatMs(doctor.medianMs)} (${doctor.verdicts}/${DOCTOR_RUNS} network_unreachable)`,
    baseline: `${baseline.text} (${baseline.outcome})`,
    ratio: Number.isFinite(baseline.ms) ? formatSpeedup(baseline.ms, doctor.medianMs) : `> ${formatRatio(BASELINE_CAP_MS / doctor.medianMs)} faster`,
    target: `≤ ${formatMs(limit)} (deadline + 1 s)`,
    met: doctor.verdicts === DOCTOR_RUNS && doctor.medianMs <= limit,
  };
}

export async function benchDeadEndpoint(): Promise<BenchSection> {
  const deadlineMs = await defaultCallTimeoutMs();
  const rows: BenchRow[] = [];

  // The hanging baseline only waits (no CPU), so it runs alongside everything else instead of adding 60 s.
  const baselineEmu = await startEmulator("healthy");
  baselineEmu.aws!.setFaults([{ kind: "hang" }]);
  const hangBaseline = sdkBaseline(scenarioEnv(baselineEmu));
  try {
    let hangDoctor: { medianMs: number; verdicts: number };
    const emu = await startEmulator("healthy");
    try {
      emu.aws!.setFaults([{ kind: "hang" }]);
      hangDoctor = await doctorToVerdict(scenarioEnv(emu));
    } finally {
      await emu.close();
    }
    const refused = await refusedEnv();
    const refusedDoctor = await doctorToVerdict(refused.env);
    const refusedBaselines = await repeat(DOCTOR_RUNS, () => sdkBaseline(refused.env));
    const refusedBaseline = refusedBaselines.sort((a, b) => a.ms - b.ms)[DOCTOR_RUNS >> 1]!;
    rows.push(row("accept, never answer", hangDoctor, await hangBaseline, deadlineMs));
    rows.push(row("connection refused", refusedDoctor, refusedBaseline, deadlineMs));
  } finally {
    await hangBaseline.catch(() => undefined);
    await baselineEmu.close();
  }

  return {
    id: 4,
    title: "Dead endpoint",
    rows,
    notes: [
      `Doctor: \`-c fixtures/configs/awskms.hcl --format json\` with default settings (per-call deadline ${formatMs(deadlineMs)} from --help), spawn to exit,`,
      `median of ${DOCTOR_RUNS} runs after one warm-up; "n/${DOCTOR_RUNS} network_unreachable" counts runs whose report names that cause.`,
      "Hang: the emulator accepts every request (KMS, STS, IAM) and never answers. Refused: every AWS endpoint points at a closed loopback port.",
      `Baseline: test/bench/sdk-describe-key.mjs, a bare \`new KMSClient({})\` DescribeKey with SDK defaults (no request timeout, standard retries), killed at ${BASELINE_CAP_MS / 1000} s;`,
      "the hanging baseline runs once, concurrently with the doctor's runs (it only waits).",
    ],
  };
}
