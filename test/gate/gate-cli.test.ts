// `vault-kms-doctor gate` through the real CLI, against the in-process AWS emulator.
import { spawn, spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { loadScenario } from "../emulator/scenarios.js";
import { baseEnv, CLI, ROOT, type CliResult } from "../support/cli.js";

const CONFIG = join(ROOT, "fixtures/configs/awskms.hcl");

/** Spawns the CLI and hands back the child, so a test can signal it and watch its lines. */
function startGate(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, "gate", "-c", CONFIG, "--call-timeout", "1s", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const started = performance.now();
  const done = new Promise<CliResult & { ms: number }>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { child, done, output: () => stdout, progress: () => stderr };
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("gate command", () => {
  it("healthy: exit 0 at once, one attempt line, then the report", async () => {
    emu = await startEmulator("healthy");
    const r = await startGate(["--wait", "30s"], baseEnv(emu.env)).done;
    expect(r.code).toBe(0);
    // Attempt lines are progress: stderr; stdout carries only the report and the verdict line.
    expect(r.stdout).not.toContain("gate: attempt");
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("vault-kms-doctor gate: attempt"));
    expect(lines).toEqual([expect.stringMatching(/^vault-kms-doctor gate: attempt 1 at \d+\.\ds: required checks pass$/)]);
    expect(r.stdout).toContain("Round trip as Vault does it (awskms.round-trip)");
    expect(r.stdout).toMatch(/vault-kms-doctor gate: open: the required checks pass after 1 attempt in/);
  });

  it("unreachable, healthy after 2 s: exit 0 well before the 30 s wait", async () => {
    emu = await startEmulator("unreachable");
    const healthy = loadScenario("healthy").aws!;
    // KMS comes back once the first attempt has failed (a fixed delay races the gate's start on a loaded machine).
    const gate = startGate(["--wait", "30s"], baseEnv(emu.env));
    try {
      await until(() => /attempt 1 at/.test(gate.progress()), 30_000);
      emu.aws!.setScenario(healthy);
      const r = await gate.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/attempt 1 at [\d.]+s: 2 failing \(awskms\.key-state, awskms\.round-trip\) — network_unreachable: .*; retrying in [\d.]+s/);
      expect(r.stderr).toMatch(/attempt \d+ at [\d.]+s: required checks pass/);
      expect(r.ms).toBeLessThan(25_000);
    } finally {
      gate.child.kill();
    }
  });

  it("permanent failure: exit 1 at the 4 s deadline, last report printed", async () => {
    emu = await startEmulator("unreachable");
    const r = await startGate(["--wait", "4s"], baseEnv(emu.env)).done;
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(3_500);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stdout).toContain("Key state (awskms.key-state)");
    expect(r.stdout).toMatch(/closed: the required checks still fail at the --wait deadline after \d+ attempts/);
  });

  it("--format json: NDJSON, one object per attempt and a final result with the report", async () => {
    emu = await startEmulator("key-disabled");
    const r = await startGate(["--wait", "3s", "--format", "json"], baseEnv(emu.env)).done;
    expect(r.code).toBe(1);
    const objects = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const attempts = objects.filter((o) => o.event === "attempt");
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0].failing.map((f: any) => `${f.check}:${f.code}`)).toContain("awskms.key-state:disabled");
    const last = objects.at(-1);
    expect(last).toMatchObject({ event: "result", outcome: "deadline", exitCode: 1 });
    expect(last.report.verdict).toBe("problems");
  });

  it.each([["SIGTERM", 143], ["SIGINT", 130]] as const)("%s mid-wait: exit %d promptly with the last state", async (signal, exitCode) => {
    emu = await startEmulator("unreachable");
    const gate = startGate(["--wait", "60s"], baseEnv(emu.env));
    await until(() => gate.progress().includes("attempt 1 at"));
    const sentAt = performance.now();
    gate.child.kill(signal);
    const r = await gate.done;
    expect(r.code).toBe(exitCode);
    expect(performance.now() - sentAt).toBeLessThan(5_000);
    expect(r.stdout).toContain(`stopped by a signal before the checks passed (${signal})`);
    expect(r.stdout).toContain("Key state (awskms.key-state)");
  });
});
