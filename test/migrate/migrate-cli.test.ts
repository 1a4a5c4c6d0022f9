// `vault-kms-doctor migrate` through the real CLI for each direction.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { startVaultEmulator } from "../emulator/vault/server.js";
import { baseEnv, CLI, ROOT, codesOf, runCli } from "../support/cli.js";
import { twoKeyScenario } from "./two-key-scenario.js";

const fixture = (name: string) => join(ROOT, "fixtures/configs/migrations", name, "vault.hcl");

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("migrate command", () => {
  it("Shamir -> awskms (--from shamir): new seal fully checked, unseal keys become recovery keys, standbys first", async () => {
    emu = await startEmulator("healthy");
    const r = await runCli(["migrate", "-c", fixture("shamir-to-awskms"), "--from", "shamir", "--format", "json"], { env: baseEnv(emu.env) });
    expect(r.stderr).toBe("");
    const { migration, report } = JSON.parse(r.stdout);
    expect(migration).toMatchObject({ direction: "shamir-to-auto", from: "shamir", to: "awskms", ha: true, keys: { enter: "the current Shamir unseal keys" } });
    expect(migration.steps.map((s: any) => s.text).join("\n")).toMatch(/On each standby node[\s\S]*-migrate[\s\S]*stop the active node/);
    const codes = codesOf(report);
    expect(codes["awskms/awskms.round-trip"]).toEqual(["ok"]);
    expect(codes["awskms/awskms.rotation"]).toBeDefined();
    expect(codes["config/migrate.layout"]).toEqual(["not-migration"]);
    expect(r.code).toBe(0);
  });

  it("Shamir -> awskms without --from or a Vault address is a usage error that says what to pass", async () => {
    const r = await runCli(["migrate", "-c", fixture("shamir-to-awskms")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pass --from shamir");
  });

  it("Shamir -> awskms detected from the running Vault's seal type", async () => {
    emu = await startEmulator("healthy");
    const vault = await startVaultEmulator("unsealed-shamir");
    try {
      const r = await runCli(["migrate", "-c", fixture("shamir-to-awskms"), "--vault-addr", vault.addr, "--format", "json"], { env: baseEnv(emu.env) });
      const { migration, report } = JSON.parse(r.stdout);
      expect(migration.direction).toBe("shamir-to-auto");
      expect(codesOf(report)["config/vault.seal-type"]).toEqual(["still-old"]);
      expect(codesOf(report)["config/vault.recovery-seal"]).toEqual(["unseal-keys"]);
    } finally {
      await vault.close();
    }
  });

  it("awskms -> awskms: the old seal is checked decrypt-only (no round trip), the new one fully", async () => {
    emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt: false }));
    const r = await runCli(["migrate", "-c", fixture("awskms-to-awskms"), "--format", "json"], { env: baseEnv(emu.env) });
    const { migration, report } = JSON.parse(r.stdout);
    expect(migration).toMatchObject({ direction: "auto-to-auto", from: "awskms", to: "awskms", oldSeal: "awskms-disabled", newSeal: "awskms", keys: { enter: "the recovery keys" } });
    const codes = codesOf(report);
    expect(codes["awskms-disabled/migrate.old-seal-decrypt"]).toEqual(["decrypt-unproven"]);
    expect(codes["awskms-disabled/awskms.key-state"]).toEqual(["enabled"]);
    expect(codes["awskms-disabled/awskms.round-trip"]).toBeUndefined();
    expect(codes["awskms/awskms.round-trip"]).toEqual(["ok"]);
    expect(codes["awskms/migrate.old-seal-decrypt"]).toBeUndefined();
    expect(codes["config/migrate.layout"]).toEqual(["layout"]);
    expect(r.code).toBe(0);
  });

  it("awskms -> Shamir: recovery keys become unseal keys; rollback re-adds the seal", async () => {
    emu = await startEmulator("healthy");
    const r = await runCli(["migrate", "-c", fixture("awskms-to-shamir")], { env: baseEnv(emu.env) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Seal migration plan: awskms -> shamir (single node)");
    expect(r.stdout).toContain("Keys to enter with -migrate: the recovery keys.");
    expect(r.stdout).toContain("the recovery key shares become the Shamir unseal keys");
    expect(r.stdout).toMatch(/Rollback:[\s\S]*add the seal "awskms" block again/);
    expect(r.stdout).toContain("Old seal can still decrypt (migrate.old-seal-decrypt)");
  });

  it("VAULT_SEAL_TYPE still exported turns awskms -> gcpckms into awskms -> awskms: fail", async () => {
    const r = await runCli(["migrate", "-c", fixture("awskms-to-gcpckms"), "--format", "json", "--timeout", "5s"], { env: baseEnv({ VAULT_SEAL_TYPE: "awskms" }) });
    const { report } = JSON.parse(r.stdout);
    expect(codesOf(report)["config/migrate.layout"]).toEqual(["seal-type-exported"]);
    expect(r.code).toBe(1);
  });

  it("old and new seal on the same key: fail", async () => {
    const r = await runCli(["migrate", "-c", fixture("awskms-same-key"), "--format", "json", "--timeout", "5s"]);
    const { report } = JSON.parse(r.stdout);
    expect(codesOf(report)["config/migrate.layout"]).toEqual(["same-key"]);
    expect(r.code).toBe(1);
  });
});
