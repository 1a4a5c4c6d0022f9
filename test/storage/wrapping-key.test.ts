// storage.wrapping-key on data written by a real OpenBao 2.6 (.peers/bin/bao) initialised with seal "awskms"
// against the emulator's healthy scenario (test/storage/openbao-data.ts), then read by the built CLI.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import type { Scenario } from "../emulator/scenarios.js";
import { CLI, ROOT, baseEnv, codesOf, runCli } from "../support/cli.js";
import { OLD_KEY_ID, twoKeyScenario } from "../migrate/two-key-scenario.js";
import { restartOutcome, writeOpenBaoData, type OpenBaoData } from "./openbao-data.js";
import { boltGet, BoltFormatError } from "../../src/storage/bolt.js";
import { decodeBlobInfo, BlobFormatError } from "../../src/storage/blob-info.js";
import { spawnSync } from "node:child_process";

const STORED_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

let data: OpenBaoData;
let scratch: string;
let emu: Emulator | undefined;

beforeAll(async () => {
  data = await writeOpenBaoData();
  scratch = mkdtempSync(join(tmpdir(), "vkd-storage-test-"));
}, 120_000);
afterAll(() => {
  rmSync(data.dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function config(name: string, kmsKeyId: string, storage: string | undefined): string {
  const file = join(scratch, `${name}.hcl`);
  writeFileSync(file, `${storage ? `storage "raft" {\n  path = ${JSON.stringify(storage)}\n}\n` : ""}seal "awskms" {\n  region     = "us-east-1"\n  kms_key_id = ${JSON.stringify(kmsKeyId)}\n}\n`);
  return file;
}

function fingerprint(file: string) {
  const s = statSync(file);
  return { mtimeMs: s.mtimeMs, size: s.size, bytes: readFileSync(file).toString("base64") };
}

async function check(args: string[]) {
  const r = await runCli([...args, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*", "--only", "awskms.region-key", "--only", "awskms.credentials", "--only", "awskms.key-state"], { env: baseEnv(emu?.env ?? {}) });
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

function wrapping(report: any) {
  return report.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.wrapping-key");
}

describe("BoltDB reader and BlobInfo decoder on a real OpenBao 2.6 vault.db", () => {
  it("reads the seal config, the stored root keys and the recovery key from bucket data", () => {
    const db = join(data.dataPath, "vault.db");
    const before = fingerprint(db);
    const config = boltGet(db, ["data"], "core/seal-config");
    expect(JSON.parse(config.value!.toString()).type).toBe("awskms");
    const keys = decodeBlobInfo(boltGet(db, ["data"], "core/hsm/barrier-unseal-keys").value!);
    expect(keys.keyInfo).toMatchObject({ mechanism: 1n, keyId: STORED_ARN });
    expect(keys.ivBytes).toBe(12);
    expect(keys.keyInfo!.wrappedKeyBytes).toBeGreaterThan(0);
    const recovery = decodeBlobInfo(boltGet(db, ["data"], "core/recovery-key").value!);
    expect(recovery.keyInfo?.keyId).toBe(STORED_ARN);
    expect(boltGet(db, ["data"], "core/no-such-entry").value).toBeUndefined();
    expect(() => boltGet(db, ["no-such-bucket"], "x")).toThrow(BoltFormatError);
    expect(fingerprint(db)).toEqual(before);
  });

  it("refuses foreign bytes and damaged envelopes with a reason", () => {
    expect(() => decodeBlobInfo(Buffer.from("{\"not\":\"protobuf\"}"))).toThrow(BlobFormatError);
    expect(() => decodeBlobInfo(Buffer.from([0x0a, 0x40, 1, 2]))).toThrow(/runs past the end/);
    const foreign = join(scratch, "foreign.db");
    writeFileSync(foreign, Buffer.alloc(8192, 7));
    expect(() => boltGet(foreign, ["data"], "x")).toThrow(/no valid meta page/);
  });
});

describe("storage.wrapping-key through the CLI", () => {
  it("the configured key wrapped the stored root key: same-key, with the recorded ARN; storage untouched", async () => {
    emu = await startEmulator("healthy");
    const db = join(data.dataPath, "vault.db");
    const before = fingerprint(db);
    const r = await check(["-c", config("same", "alias/vault-unseal", data.dataPath)]);
    expect(r.stderr).toBe("");
    const c = wrapping(r.report);
    expect(c.findings.map((f: any) => f.code)).toEqual(["same-key"]);
    expect(c.findings[0].details).toMatchObject({ wrapping_key: STORED_ARN, configured_key_arn: STORED_ARN, wrapping_key_state: "Enabled", stored_seal_type: "awskms", recovery_wrapping_key: STORED_ARN, storage_type: "raft" });
    expect(r.code).toBe(0);
    expect(fingerprint(db)).toEqual(before);
  });

  it("kms_key_id switched to another key: drift, naming the key the restart decrypts with", async () => {
    emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt: true }));
    const r = await check(["-c", config("drift", "alias/vault-unseal-old", data.dataPath)]);
    const c = wrapping(r.report);
    expect(c.findings.map((f: any) => f.code)).toEqual(["drift"]);
    expect(c.findings[0].status).toBe("warn");
    expect(c.findings[0].args).toMatchObject({ stored: STORED_ARN, configured: "alias/vault-unseal-old" });
    expect(c.findings[0].args.configuredArn).not.toBe(STORED_ARN);
  });

  it("the recorded key is disabled: fail, it will not unseal", async () => {
    emu = await startEmulator("key-disabled");
    const r = await check(["-c", config("disabled", "alias/vault-unseal", data.dataPath)]);
    const c = wrapping(r.report);
    expect(c.findings.map((f: any) => f.code)).toEqual(["recorded-disabled"]);
    expect(c.findings[0]).toMatchObject({ status: "fail", cause: "key_disabled" });
    expect(c.findings[0].fix.commands).toEqual([`aws kms enable-key --key-id ${STORED_ARN} --region us-east-1`]);
    expect(r.code).toBe(1);
  });

  it("the recorded key is pending deletion: fail", async () => {
    emu = await startEmulator("key-pending-deletion");
    const r = await check(["-c", config("pending", "alias/vault-unseal", data.dataPath)]);
    expect(wrapping(r.report).findings.map((f: any) => f.code)).toEqual(["recorded-pending-deletion"]);
    expect(r.code).toBe(1);
  });

  it("an empty storage folder (--storage-path): not-initialised; no storage at all: the check does not run", async () => {
    emu = await startEmulator("healthy");
    const empty = mkdtempSync(join(scratch, "empty-"));
    const r = await check(["-c", config("empty", "alias/vault-unseal", undefined), "--storage-path", empty]);
    expect(wrapping(r.report).findings.map((f: any) => f.code)).toEqual(["not-initialised"]);
    const none = await check(["-c", config("none", "alias/vault-unseal", undefined)]);
    expect(wrapping(none.report)).toBeUndefined();
    expect(none.code).toBe(0);
  });

  it("storage named by the config but absent here: not read, the check does not run; --storage-path absent: exit 2; raft folder without vault.db: not-initialised", async () => {
    emu = await startEmulator("healthy");
    const absent = await check(["-c", config("absent", "alias/vault-unseal", join(scratch, "no-such-folder"))]);
    expect(wrapping(absent.report)).toBeUndefined();
    expect(absent.code).toBe(0);
    const flag = await check(["-c", config("absent-flag", "alias/vault-unseal", undefined), "--storage-path", join(scratch, "no-such-folder")]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(join(scratch, "no-such-folder"));
    const fresh = mkdtempSync(join(scratch, "fresh-"));
    const r = await check(["-c", config("fresh", "alias/vault-unseal", fresh)]);
    expect(wrapping(r.report).findings.map((f: any) => [f.code, f.status])).toEqual([["not-initialised", "warn"]]);
  });

  it("storage the doctor's user may not read: unreadable is an error (fail closed), never a pass or a skip (run as nobody when root)", async () => {
    emu = await startEmulator("healthy");
    const locked = mkdtempSync(join(scratch, "locked-"));
    copyFileSync(join(data.dataPath, "vault.db"), join(locked, "vault.db"));
    chmodSync(join(locked, "vault.db"), 0o000);
    try {
      const asRoot = process.getuid?.() === 0;
      const argv = [...(asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []), process.execPath, CLI, "-c", config("locked", "alias/vault-unseal", locked),
        "--target", "openbao@2.6", "--format", "json", "--only", "storage.*", "--only", "awskms.region-key", "--only", "awskms.credentials", "--only", "awskms.key-state"];
      chmodSync(locked, 0o755);
      chmodSync(scratch, 0o755);
      const run = spawnSync(argv[0]!, argv.slice(1), { env: baseEnv(emu?.env ?? {}), encoding: "utf8", cwd: ROOT, timeout: 60_000 });
      const r = { report: JSON.parse(run.stdout) };
      expect(wrapping(r.report).findings.map((f: any) => [f.code, f.status])).toEqual([["unreadable", "error"]]);
      expect(run.status).toBe(1);
    } finally {
      chmodSync(join(locked, "vault.db"), 0o600);
    }
  });

  it("truncated, corrupt or foreign vault.db: exit 2 naming the file, no stack trace, the file unchanged", async () => {
    emu = await startEmulator("healthy");
    const cases: [string, (db: string) => void][] = [
      ["truncated", (db) => truncateSync(db, 5000)],
      ["foreign", (db) => writeFileSync(db, "this is not a bolt file\n".repeat(400))],
      ["corrupt", (db) => {
        // Zero everything past the two meta pages: the root bucket page no longer carries its id.
        const buf = readFileSync(db);
        buf.fill(0, 2 * 4096);
        writeFileSync(db, buf);
      }],
    ];
    for (const [name, damage] of cases) {
      const dir = mkdtempSync(join(scratch, `${name}-`));
      const db = join(dir, "vault.db");
      copyFileSync(join(data.dataPath, "vault.db"), db);
      damage(db);
      const before = fingerprint(db);
      const r = await check(["-c", config(name, "alias/vault-unseal", dir)]);
      expect(r.code, name).toBe(2);
      expect(r.stdout, name).toBe("");
      expect(r.stderr, name).toContain(db);
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
      expect(fingerprint(db), name).toEqual(before);
    }
  });
});

/** Two keys; the one that wrapped the stored root key (the healthy ARN) is Disabled, the configured one is fine. */
function storedKeyDisabled(): Scenario {
  const s = twoKeyScenario({ oldKeyEncrypt: true });
  const keys = s.aws!.keys;
  keys[0] = { ...keys[0]!, keyState: "Disabled" } as (typeof keys)[number];
  return { ...s, name: "stored-key-disabled" };
}

describe("the verdict agrees with a real OpenBao 2.6 restart", () => {
  it("drift with the recorded key still Enabled: warn, and OpenBao unseals (KMS decrypts with the key in the blob)", async () => {
    emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt: true }));
    const r = await check(["-c", config("drift-restart", "alias/vault-unseal-old", data.dataPath)]);
    expect(wrapping(r.report).findings.map((f: any) => f.code)).toEqual(["drift"]);
    expect(r.code).toBe(0);
    // While that OpenBao runs (holding bbolt's lock on vault.db) the doctor still reads it, without harm, and sees the
    // drift healed: once unsealed, the active node re-wrapped the stored keys with the configured key
    // (openbao v2.6.0 vault/seal_autoseal.go upgradeStoredKeys).
    let running: Awaited<ReturnType<typeof check>> | undefined;
    const restart = await restartOutcome(data, emu, "alias/vault-unseal-old", async (live) => {
      running = await check(["-c", config("drift-running", "alias/vault-unseal-old", live)]);
      expect(boltGet(join(live, "vault.db"), ["data"], "core/hsm/barrier-unseal-keys").value).toBeDefined();
    });
    expect(restart.unsealed, restart.log.slice(-2000)).toBe(true);
    const healed = wrapping(running!.report).findings;
    expect(healed.map((f: any) => f.code)).toEqual(["same-key"]);
    expect(healed[0].details.wrapping_key).toBe(`arn:aws:kms:us-east-1:111122223333:key/${OLD_KEY_ID}`);
  }, 60_000);

  it("configured key healthy, recorded key Disabled: only this check fails, the gate holds, and OpenBao does not unseal", async () => {
    emu = await startEmulator(storedKeyDisabled());
    const cfg = config("stored-disabled", "alias/vault-unseal-old", data.dataPath);
    const r = await check(["-c", cfg]);
    const codes = codesOf(r.report);
    expect(codes["awskms/awskms.key-state"]).toEqual(["enabled"]);
    expect(wrapping(r.report).findings.map((f: any) => f.code)).toEqual(["recorded-disabled"]);
    expect(r.code).toBe(1);
    const gate = await runCli(["gate", "-c", cfg, "--target", "openbao@2.6", "--format", "json"], { env: baseEnv(emu.env) });
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain("storage.wrapping-key");
    const restart = await restartOutcome(data, emu, "alias/vault-unseal-old");
    expect(restart.unsealed).toBe(false);
  }, 60_000);
});
