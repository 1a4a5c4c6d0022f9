// Many targets in one run: a fleet file of 50 key/region pairs is checked with a concurrency cap, every target
// reported, in the file's order, whatever finished first.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../emulator/index.js";
import { runCli } from "../support/cli.js";
import { scenarioEnv } from "../support/emulated-run.js";

describe("fleet", () => {
  it("50 targets, capped concurrency, deterministic order, each with its own verdict", async () => {
    const emu = await startEmulator("healthy");
    try {
      const targets = Array.from({ length: 50 }, (_, i) => ({
        name: `vault-${String(i).padStart(2, "0")}`,
        type: "awskms",
        // Every tenth target points at a key that does not exist, so results differ per target.
        settings: { region: "us-east-1", kms_key_id: i % 10 === 9 ? `alias/missing-${i}` : "alias/vault-unseal" },
      }));
      const file = join(mkdtempSync(join(tmpdir(), "vkd-fleet-")), "fleet.json");
      writeFileSync(file, JSON.stringify({ targets }));
      const r = await runCli(["--fleet", file, "--concurrency", "4", "--only", "awskms.key-state", "--only", "config.seal-layout", "--format", "json", "--timeout", "60s"], { env: scenarioEnv(emu) });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      const seals = report.targets.filter((t: any) => t.kind === "seal");
      expect(seals.map((t: any) => t.id)).toEqual(targets.map((t) => t.name));
      expect(seals.filter((t: any) => t.status === "fail").map((t: any) => t.id)).toEqual(["vault-09", "vault-19", "vault-29", "vault-39", "vault-49"]);
      expect(report.targets[0].checks[0].findings[0].code).toBe("fleet");
    } finally {
      await emu.close();
    }
  });

  it("rejects a malformed fleet file with one line, exit 2", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vkd-fleet-")), "fleet.json");
    writeFileSync(file, JSON.stringify({ targets: [{ name: "a", settings: {} }] }));
    const r = await runCli(["--fleet", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/targets\[0\]: "type" .* is required/);
  });

  it("--concurrency must be sensible", async () => {
    const r = await runCli(["--fleet", "fixtures/fleets/example.json", "--concurrency", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--concurrency must be a whole number/);
  });
});
