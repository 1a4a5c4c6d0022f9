// The gate's retry loop with the real runner and real checks against the in-process AWS emulator: it opens at
// once on a healthy KMS, opens soon after an unreachable KMS recovers, closes at the deadline on a permanent
// failure, and stops at once when asked to.
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { loadScenario } from "../emulator/scenarios.js";
import { loadVaultConfig } from "../../src/config/load.js";
import { runChecks } from "../../src/runner.js";
import { buildReport } from "../../src/report/report.js";
import { runGate, type AttemptSummary, type GateLoopOptions } from "../../src/gate/gate-loop.js";
import { backoffDelay, GATE_BACKOFF } from "../../src/gate/backoff.js";
import { gateSelection, type GateSelection } from "../../src/gate/required.js";
import { loadAllChecks } from "../../src/registry.js";
import { ROOT } from "../support/cli.js";

const CONFIG = join(ROOT, "fixtures/configs/awskms.hcl");

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function gateOptions(e: Emulator, over: Partial<GateLoopOptions>): { opts: GateLoopOptions; attempts: AttemptSummary[]; retried: GateSelection[] } {
  const env = { ...e.env, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
  const config = loadVaultConfig([CONFIG], { env });
  const attempts: AttemptSummary[] = [];
  const retried: GateSelection[] = [];
  const opts: GateLoopOptions = {
    waitMs: 0,
    attemptBudgetMs: 10_000,
    failOn: "fail",
    selection: gateSelection({ failOn: "fail", vaultAddrFlag: false }),
    signal: new AbortController().signal,
    runAttempt: (selection, budgetMs) => {
      retried.push(selection);
      return runChecks({ config, env, ...selection, options: { timeoutMs: budgetMs, callTimeoutMs: Math.min(500, budgetMs), enterprise: false } });
    },
    toReport: (run) => buildReport(run, { version: "test", startedAt: new Date(), configFiles: [CONFIG] }),
    onAttempt: (a) => attempts.push(a),
    ...over,
  };
  return { opts, attempts, retried };
}

describe("backoff", () => {
  it("grows from 1 s to the 15 s cap, with full jitter and a small floor", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, GATE_BACKOFF, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    expect(backoffDelay(3, GATE_BACKOFF, () => 0)).toBe(100);
  });

  it("default required set: lint, credentials, identity, key state, round trip; vault.* only by flag; advisory with --fail-on warn", async () => {
    const all = await loadAllChecks();
    const ids = (sel: GateSelection) => all.filter((d) => sel.select!(d)).map((d) => d.id);
    const defaults = ids(gateSelection({ failOn: "fail", vaultAddrFlag: false }));
    expect(defaults).toEqual(expect.arrayContaining(["transit.round-trip", "pkcs11.round-trip"]));
    expect(defaults.filter((id) => /^(config|awskms|gcpckms|storage)\./.test(id))).toEqual([
      "config.seal-layout", "config.required-keys", "config.ignored-keys", "config.env-overrides", "config.indirection", "config.kms-plugins",
      "awskms.region-key", "awskms.credentials", "awskms.identity", "awskms.key-state", "awskms.round-trip",
      "gcpckms.config", "gcpckms.credentials", "gcpckms.api-enabled", "gcpckms.key", "gcpckms.permissions", "gcpckms.round-trip",
      // Runs only when Vault's storage was read (when: "storage"); then the stored root key's wrapping key blocks the start.
      "storage.wrapping-key", "storage.transit-version", "storage.gcp-version", "storage.azure-version",
    ]);
    expect(ids(gateSelection({ failOn: "fail", vaultAddrFlag: true }))).toContain("vault.status");
    expect(ids(gateSelection({ failOn: "warn", vaultAddrFlag: false }))).toEqual(expect.arrayContaining(["awskms.rotation", "awskms.deletion-protection", "gcpckms.rotation"]));
    expect(ids(gateSelection({ failOn: "warn", vaultAddrFlag: false }))).not.toContain("migrate.old-seal-decrypt");
    expect(gateSelection({ require: ["awskms.round-trip"], failOn: "warn", vaultAddrFlag: false })).toEqual({ only: ["awskms.round-trip"] });
  });
});

describe("gate loop", () => {
  it("healthy: open after one attempt; advisory checks (rotation, deletion protection) were not waited for", async () => {
    emu = await startEmulator("healthy");
    const { opts, attempts } = gateOptions(emu, { waitMs: 30_000 });
    const result = await runGate(opts);
    expect(result.outcome).toBe("passed");
    expect(attempts).toHaveLength(1);
    const ids = result.report!.targets.flatMap((t) => t.checks.map((c) => c.id));
    expect(ids).toEqual(expect.arrayContaining(["config.seal-layout", "awskms.credentials", "awskms.key-state", "awskms.round-trip"]));
    expect(ids).not.toContain("awskms.rotation");
    expect(ids).not.toContain("awskms.deletion-protection");
  });

  it("unreachable KMS that recovers after 2 s: retries only what failed, opens soon after the switch", async () => {
    emu = await startEmulator("unreachable");
    const { opts, attempts, retried } = gateOptions(emu, { waitMs: 30_000 });
    let switchedAt = 0;
    const healthy = loadScenario("healthy").aws!;
    const timer = setTimeout(() => {
      emu!.aws!.setScenario(healthy);
      switchedAt = performance.now();
    }, 2_000);
    try {
      const result = await runGate(opts);
      const openedAt = performance.now();
      expect(result.outcome).toBe("passed");
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts[0]!.blocking.map((b) => b.check)).toEqual(["awskms.key-state", "awskms.round-trip"]);
      expect(attempts[0]!.blocking[0]!.cause).toBe("network_unreachable");
      expect(retried[1]!.only).toEqual(expect.arrayContaining(["awskms.key-state", "awskms.round-trip"]));
      expect(retried[1]!.only).not.toContain("config.seal-layout");
      // Within one backoff step (plus one attempt) of the switch, far from the 30 s wait.
      expect(openedAt - switchedAt).toBeLessThan(GATE_BACKOFF.capMs);
      expect(result.elapsedMs).toBeLessThan(20_000);
    } finally {
      clearTimeout(timer);
    }
  });

  it("permanent failure: closes at the deadline with the last report", async () => {
    emu = await startEmulator("unreachable");
    const { opts, attempts } = gateOptions(emu, { waitMs: 3_000 });
    const result = await runGate(opts);
    expect(result.outcome).toBe("deadline");
    expect(result.elapsedMs).toBeGreaterThanOrEqual(2_500);
    expect(result.elapsedMs).toBeLessThan(6_000);
    expect(attempts.at(-1)!.nextDelayMs).toBeUndefined();
    expect(result.report!.verdict).toBe("problems");
  });

  it("no --wait: one attempt, closed", async () => {
    emu = await startEmulator("key-disabled");
    const { opts, attempts } = gateOptions(emu, {});
    const result = await runGate(opts);
    expect(result.outcome).toBe("failed");
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.blocking.map((b) => `${b.check}:${b.code}`)).toContain("awskms.key-state:disabled");
  });

  it("a stop signal mid-wait ends the loop at once, keeping the last report", async () => {
    emu = await startEmulator("unreachable");
    const stop = new AbortController();
    const { opts, attempts } = gateOptions(emu, { waitMs: 30_000, signal: stop.signal, onAttempt: (a) => { attempts.push(a); stop.abort(); } });
    const result = await runGate(opts);
    expect(result.outcome).toBe("interrupted");
    expect(result.attempts).toBe(1);
    expect(result.report).toBeDefined();
    expect(result.elapsedMs).toBeLessThan(10_000);
  });
});
