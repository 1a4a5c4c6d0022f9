// 5. Gate reaction: `gate --wait` runs while KMS is down; at t the KMS comes back; the time from t to the gate's
// exit. Two ways down: a closed port (each attempt fails at once, so the backoff sleep dominates) and an
// endpoint that accepts and never answers (an attempt in flight must first hit its call deadline).
import { startEmulator, type Emulator } from "../emulator/index.js";
import { GATE_BACKOFF } from "../../src/gate/backoff.js";
import { scenarioEnv } from "../support/emulated-run.js";
import { defaultCallTimeoutMs, refusedEnv } from "./dead-endpoint.js";
import { formatMs, median, runTimed } from "./measure.js";
import type { BenchRow, BenchSection } from "./results.js";

const RUNS = 3;
const SWITCH_AT_MS = 4_000;
const WAIT = "60s";

interface Attempt {
  event: "attempt";
  attempt: number;
  elapsedMs: number;
  passed: boolean;
  nextDelayMs: number | null;
}

interface Reaction {
  reactionMs: number;
  /** Ceiling of the backoff step the gate was in when KMS came back: min(cap, initial * 2^(n-1)). */
  stepCeilingMs: number;
  drawnDelayMs: number;
  exitCode: number | null;
}

/** Ceiling of the sleep after failed attempt n (src/gate/backoff.ts). */
const stepCeiling = (n: number) => Math.min(GATE_BACKOFF.capMs, GATE_BACKOFF.initialMs * 2 ** Math.max(0, n - 1));

async function gateOnce(cli: string, env: NodeJS.ProcessEnv, recover: () => Promise<void>): Promise<Reaction> {
  let recoveredAt = NaN;
  let switchTimer: NodeJS.Timeout | undefined;
  let exitedAt = NaN;
  const run = await runTimed(process.execPath, [cli, "gate", "-c", "fixtures/configs/awskms.hcl", "--wait", WAIT, "--format", "json"], {
    env,
    timeoutMs: 90_000,
    onSpawn: (_startedAt, child) => {
      switchTimer = setTimeout(() => void recover().then(() => (recoveredAt = performance.now())), SWITCH_AT_MS);
      child.once("exit", () => (exitedAt = performance.now()));
    },
  });
  clearTimeout(switchTimer);
  const attempts = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { event: string }).filter((o): o is Attempt => o.event === "attempt");
  const lastFailed = [...attempts].reverse().find((a) => !a.passed);
  return {
    reactionMs: exitedAt - recoveredAt,
    stepCeilingMs: lastFailed ? stepCeiling(lastFailed.attempt) : NaN,
    drawnDelayMs: lastFailed?.nextDelayMs ?? NaN,
    exitCode: run.code,
  };
}

function reactionRow(name: string, runs: Reaction[], extraMs: number, targetText: string): BenchRow {
  const ok = runs.every((r) => r.exitCode === 0 && r.reactionMs <= r.stepCeilingMs + extraMs);
  const each = runs.map((r) => `${formatMs(r.reactionMs)}: slept ${formatMs(r.drawnDelayMs)} of a ≤ ${formatMs(r.stepCeilingMs)} step`).join("; ");
  return { name, doctor: `${formatMs(median(runs.map((r) => r.reactionMs)))} (${each})`, target: targetText, met: ok };
}

export async function benchGateReaction(cli: string): Promise<BenchSection> {
  const callTimeoutMs = await defaultCallTimeoutMs();

  const refusedRuns: Reaction[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { env, port } = await refusedEnv();
    let emu: Emulator | undefined;
    try {
      refusedRuns.push(await gateOnce(cli, env, async () => void (emu = await startEmulator("healthy", { port }))));
    } finally {
      await emu?.close();
    }
  }

  const hangRuns: Reaction[] = [];
  for (let i = 0; i < RUNS; i++) {
    const emu = await startEmulator("healthy");
    try {
      emu.aws!.setFaults([{ kind: "hang", service: "kms" }]);
      hangRuns.push(await gateOnce(cli, scenarioEnv(emu), async () => emu.aws!.setFaults([])));
    } finally {
      await emu.close();
    }
  }

  return {
    id: 5,
    title: "Gate reaction",
    rows: [
      reactionRow("refused → healthy", refusedRuns, 0, "≤ one backoff step"),
      reactionRow("never answers → healthy", hangRuns, callTimeoutMs, `≤ call deadline (${formatMs(callTimeoutMs)}) + one step`),
    ],
    notes: [
      `\`gate -c fixtures/configs/awskms.hcl --wait ${WAIT} --format json\`; ${SWITCH_AT_MS / 1000} s after spawn the KMS comes back (the emulator starts on the closed port,`,
      "or stops hanging); reaction = gate exit minus that instant, median of",
      `${RUNS} runs per mode (no warm-up: earlier sections warmed the disk cache). A step is the ceiling of the jittered backoff the gate was sleeping in`,
      `(min(${GATE_BACKOFF.capMs / 1000} s, ${GATE_BACKOFF.initialMs / 1000} s × 2^(n−1)) after failed attempt n, src/gate/backoff.ts). In the hanging mode an attempt already in flight`,
      "cannot see the recovery before its call deadline, so its target adds that deadline.",
    ],
  };
}
