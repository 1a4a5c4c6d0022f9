// storage.gcp-version on raft storage written by a real OpenBao 2.6 (.peers/bin/bao) initialised with seal "gcpckms"
// through the conformance harness's loopback CONNECT proxy to the Google emulator (test/conformance/gcp.ts
// initialiseGcpTemplate), then read by the built CLI against an in-process emulator whose scenario is gcp-healthy
// rotated or changed (test/emulator/gcp/rotated.ts): real gRPC GetCryptoKeyVersion, real stored BlobInfo.
// Envelopes OpenBao cannot be made to write (another seal's, a pre-envelope one) are crafted on file storage.
// Whether a real OpenBao restart agrees is the gcp:stored-* conformance rows' job (npm run conformance).
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { loadGcpScenarioFile, type GcpScenario } from "../emulator/gcp/scenario.js";
import { rotatedScenario } from "../emulator/gcp/rotated.js";
import { startGcpEmulator } from "../emulator/gcp/server.js";
import { openCiphertext } from "../emulator/gcp/ciphertext.js";
import { createShared, initialiseGcpTemplate, type Shared } from "../conformance/gcp.js";
import { peerBinary } from "../support/peers.js";
import { baseEnv, CLI, codesOf, ROOT, runCli } from "../support/cli.js";
import { boltGet } from "../../src/storage/bolt.js";
import { decodeBlobInfo, wrappedKeyOf } from "../../src/storage/blob-info.js";

const PROJECT = "vault-prod-123456";
const KEY = `projects/${PROJECT}/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key`;
const VERSION1 = `${KEY}/cryptoKeyVersions/1`;
const FLAGS = `--key vault-unseal-key --keyring vault-unseal-ring --location global --project ${PROJECT}`;
const SA = `vault-unseal@${PROJECT}.iam.gserviceaccount.com`;
const DOCTOR_CHECKS = ["storage.*", "gcpckms.config", "gcpckms.credentials", "gcpckms.api-enabled", "gcpckms.key"];

let root: string;
let dataPath: string;
let shared: Shared;
let emu: Emulator | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "vkd-gcp-storage-"));
  shared = createShared(root);
  await initialiseGcpTemplate(peerBinary("bao"), shared, join(root, "template"));
  dataPath = join(root, "template", "data");
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const healthy = (): GcpScenario => loadGcpScenarioFile("healthy").gcp;

function config(name: string, seal: GcpScenario["seal"], storage: { type: "raft" | "file"; path: string } = { type: "raft", path: dataPath }): string {
  const file = join(root, `${name}.hcl`);
  writeFileSync(file, `storage "${storage.type}" {\n  path = ${JSON.stringify(storage.path)}\n}\nseal "gcpckms" {\n  project    = ${JSON.stringify(seal.project)}\n  region     = ${JSON.stringify(seal.region)}\n  key_ring   = ${JSON.stringify(seal.key_ring)}\n  crypto_key = ${JSON.stringify(seal.crypto_key)}\n}\n`);
  return file;
}

/** The built CLI against an emulator of `scenario`; `only` undefined: every check (the verdict a user gets). */
async function doctor(scenario: GcpScenario, opts: { cfg?: string; only?: string[] | null; args?: string[] } = {}) {
  emu = await startEmulator({ name: "gcp-stored", description: "storage.gcp-version test", gcp: scenario });
  const cfg = opts.cfg ?? config("seal", scenario.seal);
  const only = opts.only === null ? [] : (opts.only ?? DOCTOR_CHECKS).flatMap((id) => ["--only", id]);
  const r = await runCli(["-c", cfg, "--target", "openbao@2.6", "--format", "json", "--call-timeout", "2s", ...only, ...(opts.args ?? [])], { env: baseEnv(emu.env) });
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 1000)}`);
  }
  const checks = report.targets.flatMap((t: any) => t.checks);
  const check = checks.find((c: any) => c.id === "storage.gcp-version");
  return { code: r.code, report, checks, check, codes: check?.findings.map((f: any) => f.code) as string[], finding: check?.findings[0], emu };
}

const versionCalls = (e: Emulator) => e.audit().filter((a) => a.operation === "GetCryptoKeyVersion").map((a) => [a.key, a.result]);

describe("what a real OpenBao 2.6 gcpckms seal writes", () => {
  it("core/hsm/barrier-unseal-keys and core/recovery-key record the crypto key VERSION name (mechanism 1, envelope)", () => {
    const db = join(dataPath, "vault.db");
    expect(JSON.parse(boltGet(db, ["data"], "core/seal-config").value!.toString()).type).toBe("gcpckms");
    const keys = decodeBlobInfo(boltGet(db, ["data"], "core/hsm/barrier-unseal-keys").value!);
    expect(keys.keyInfo).toMatchObject({ mechanism: 1n, keyId: VERSION1 });
    expect(keys.keyInfo!.wrappedKeyBytes).toBeGreaterThan(0);
    expect(decodeBlobInfo(boltGet(db, ["data"], "core/recovery-key").value!).keyInfo?.keyId).toBe(VERSION1);
  });
});

describe("storage.gcp-version on real OpenBao storage", () => {
  it("not rotated: primary-version (pass), one GetCryptoKeyVersion on the recorded name, storage untouched", async () => {
    const db = join(dataPath, "vault.db");
    const before = { bytes: readFileSync(db).toString("base64"), mtimeMs: statSync(db).mtimeMs };
    const r = await doctor(healthy());
    expect(r.codes).toEqual(["primary-version"]);
    expect(r.finding).toMatchObject({ status: "pass", args: { version: "1", primary: "1", key: KEY } });
    expect(r.finding.details).toMatchObject({ wrapping_version: VERSION1, wrapping_version_state: "ENABLED", recovery_wrapping_version: VERSION1, configured_key: KEY, storage_type: "raft" });
    expect(versionCalls(r.emu)).toEqual([[VERSION1, "ok"]]);
    expect(r.code).toBe(0);
    expect({ bytes: readFileSync(db).toString("base64"), mtimeMs: statSync(db).mtimeMs }).toEqual(before);
  }, 60_000);

  it("rotated, version 1 still ENABLED: older-version (pass), named next to the primary", async () => {
    const r = await doctor(rotatedScenario(healthy(), "ENABLED"));
    expect(r.codes).toEqual(["older-version"]);
    expect(r.finding).toMatchObject({ status: "pass", args: { version: "1", primary: "2" } });
    expect(r.code).toBe(0);
  }, 60_000);

  it("rotated, version 1 DISABLED: every other check passes, this one fails first with the enable command; the gate holds", async () => {
    const scenario = rotatedScenario(healthy(), "DISABLED");
    const r = await doctor(scenario, { only: null });
    expect(codesOf(r.report)["gcpckms/gcpckms.key"]).toEqual(["ok"]);
    const failing = r.checks.filter((c: any) => c.status === "fail" || c.status === "error").map((c: any) => c.id);
    expect(failing).toEqual(["storage.gcp-version"]);
    expect(r.codes).toEqual(["version-disabled"]);
    expect(r.finding).toMatchObject({ status: "fail", cause: "key_disabled", args: { version: "1", primary: "2", version_name: VERSION1 } });
    expect(r.finding.fix.commands).toEqual([`gcloud kms keys versions enable 1 ${FLAGS}`]);
    expect(r.code).toBe(1);
    const gate = await runCli(["gate", "-c", config("gate", scenario.seal), "--target", "openbao@2.6", "--format", "json"], { env: baseEnv(r.emu.env) });
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain("storage.gcp-version");
  }, 90_000);

  it("rotated, version 1 DESTROY_SCHEDULED: restore, then enable", async () => {
    const r = await doctor(rotatedScenario(healthy(), "DESTROY_SCHEDULED", { destroyTime: "2030-01-01T00:00:00Z" }));
    expect(r.codes).toEqual(["version-destroy-scheduled"]);
    expect(r.finding).toMatchObject({ status: "fail", cause: "key_pending_deletion", args: { destroyTime: "2030-01-01T00:00:00.000Z" } });
    expect(r.finding.fix.commands).toEqual([`gcloud kms keys versions restore 1 ${FLAGS}`, `gcloud kms keys versions enable 1 ${FLAGS}`]);
    expect(r.code).toBe(1);
  }, 60_000);

  it("rotated, version 1 DESTROYED: no enable or restore command exists", async () => {
    const r = await doctor(rotatedScenario(healthy(), "DESTROYED", { destroyTime: "2025-03-01T00:00:00Z" }));
    expect(r.codes).toEqual(["version-destroyed"]);
    expect(r.finding).toMatchObject({ status: "fail", cause: "key_destroyed", args: { destroyed: " (since 2025-03-01T00:00:00.000Z)" } });
    expect(r.finding.fix.commands.join("\n")).not.toMatch(/versions (enable|restore)/);
    expect(r.finding.fix.commands[0]).toBe(`gcloud kms keys versions list ${FLAGS}`);
  }, 60_000);

  it("version 1 in another state (PENDING_GENERATION): version-other, a fail", async () => {
    const r = await doctor(rotatedScenario(healthy(), "PENDING_GENERATION"));
    expect(r.codes).toEqual(["version-other"]);
    expect(r.finding).toMatchObject({ status: "fail", args: { state: "PENDING_GENERATION" } });
  }, 60_000);

  it("the recorded version does not exist on that key: version-not-found", async () => {
    const s = healthy();
    s.keyRings[0]!.keys[0]!.versions = [{ id: "2", state: "ENABLED" }];
    s.keyRings[0]!.keys[0]!.primaryVersion = "2";
    const r = await doctor(s);
    expect(r.codes).toEqual(["version-not-found"]);
    expect(r.finding).toMatchObject({ status: "fail", cause: "key_not_found" });
    expect(r.finding.args.error).toMatch(/^NOT_FOUND: CryptoKeyVersion .*cryptoKeyVersions\/1 not found/);
  }, 60_000);

  it("no cloudkms.cryptoKeyVersions.get (Encrypter/Decrypter only): denied is an error that decides, with the viewer grant", async () => {
    const s = healthy();
    s.bindings = s.bindings.filter((b) => b.role !== "roles/cloudkms.viewer");
    const r = await doctor(s);
    expect(r.codes).toEqual(["denied"]);
    expect(r.finding).toMatchObject({ status: "error", cause: "permission_denied" });
    expect(r.finding.doctorPermission).toBeUndefined();
    expect(r.finding.fix.commands).toEqual([`gcloud kms keys add-iam-policy-binding vault-unseal-key --keyring vault-unseal-ring --location global --project ${PROJECT} --member serviceAccount:${SA} --role roles/cloudkms.viewer`]);
    expect(r.code).toBe(1);
  }, 60_000);

  it("gcpckms.key skipped: enabled (pass) without a primary to compare", async () => {
    const r = await doctor(healthy(), { only: ["storage.*", "gcpckms.config", "gcpckms.credentials"] });
    expect(r.codes).toEqual(["enabled"]);
    expect(r.finding.status).toBe("pass");
  }, 60_000);

  it("Cloud KMS unavailable for GetCryptoKeyVersion: failed is an error, never a pass", async () => {
    const s = healthy();
    s.faults = [{ kind: "UNAVAILABLE", operation: "GetCryptoKeyVersion" }];
    const r = await doctor(s);
    expect(r.codes).toEqual(["failed"]);
    expect(r.finding).toMatchObject({ status: "error", cause: "network_unreachable" });
    expect(r.code).toBe(1);
  }, 60_000);

  it("the config names another key: key-drift is fatal (Decrypt goes to the configured key), whatever the old version's state", async () => {
    const s = healthy();
    const other = structuredClone(s.keyRings[0]!.keys[0]!);
    other.id = "vault-unseal-key-2";
    s.keyRings[0]!.keys.push(other);
    s.bindings.push(...s.bindings.map((b) => ({ ...b, resource: `${b.resource}-2` })));
    s.seal = { ...s.seal, crypto_key: "vault-unseal-key-2" };
    const r = await doctor(s);
    expect(codesOf(r.report)["gcpckms/gcpckms.key"]).toEqual(["ok"]);
    expect(r.codes).toEqual(["key-drift"]);
    expect(r.finding).toMatchObject({ status: "fail", cause: "unseal_decrypt_failed", args: { stored: VERSION1, configured: `${KEY}-2`, state: "ENABLED" } });
    expect(r.finding.fix.commands).toEqual([`gcloud kms keys versions describe 1 ${FLAGS}`]);
    expect(r.code).toBe(1);
  }, 60_000);
});

describe("--decrypt-stored with gcpckms", () => {
  it("decrypt-ok: the emulator that shares OpenBao's key material opens the stored wrapped key; the plaintext never shows", async () => {
    // The data key the doctor sees, learnt here from the emulator's material (HMAC(seed, version name), kms-service.ts).
    const wrapped = wrappedKeyOf(boltGet(join(dataPath, "vault.db"), ["data"], "core/hsm/barrier-unseal-keys").value!, VERSION1)!;
    const plaintext = openCiphertext(wrapped, createHmac("sha256", shared.keySeed).update(VERSION1).digest(), Buffer.alloc(0))!;
    expect(plaintext.length).toBe(32);
    const work = mkdtempSync(join(root, "emu-"));
    const gcp = await startGcpEmulator(healthy(), { workDir: work, keySeed: shared.keySeed });
    try {
      const cfg = config("decrypt", healthy().seal);
      const r = await runCli(["-c", cfg, "--target", "openbao@2.6", "--format", "json", "--decrypt-stored", ...DOCTOR_CHECKS.flatMap((id) => ["--only", id])], { env: baseEnv(gcp.env) });
      const check = JSON.parse(r.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.gcp-version");
      expect(check.findings.map((f: any) => [f.code, f.status])).toEqual([["primary-version", "pass"], ["decrypt-ok", "pass"]]);
      expect(check.findings[1].args.key).toBe(KEY);
      expect(gcp.audit.filter((a) => a.operation === "Decrypt").map((a) => [a.key, a.result])).toEqual([[KEY, "ok"]]);
      expect(r.code).toBe(0);
      for (const form of [plaintext.toString("base64"), plaintext.toString("base64url"), plaintext.toString("hex"), `[${[...plaintext].join(",")}]`]) {
        expect(r.stdout + r.stderr).not.toContain(form);
      }
      expect(r.stdout.includes(plaintext.toString("latin1"))).toBe(false);
    } finally {
      await gcp.close();
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it("decrypt-failed: Cloud KMS cannot open the stored wrapped key (other key material); decrypt-unavailable: no wrapped key to send", async () => {
    // The in-process emulator has no key seed: the ciphertext names version 1 but its material is another.
    const r = await doctor(healthy(), { args: ["--decrypt-stored"] });
    expect(r.codes).toEqual(["primary-version", "decrypt-failed"]);
    expect(r.check.findings[1]).toMatchObject({ status: "fail", cause: "unseal_decrypt_failed" });
    expect(r.check.findings[1].args.error).toMatch(/^INVALID_ARGUMENT: Decryption failed/);
    expect(r.code).toBe(1);
    await emu?.close();
    const noWrappedKey = Buffer.concat([bytesField(1, Buffer.alloc(64, 1)), bytesField(2, Buffer.alloc(12, 2)), bytesField(5, Buffer.concat([Buffer.from([0x08, 0x01]), bytesField(3, Buffer.from(VERSION1))]))]);
    const u = await doctor(healthy(), { cfg: config("no-wrapped", healthy().seal, fileStorage("no-wrapped", "gcpckms", noWrappedKey)), args: ["--decrypt-stored"] });
    expect(u.codes).toEqual(["primary-version", "decrypt-unavailable"]);
    expect(u.check.findings[1].status).toBe("error");
    expect(u.emu.audit().some((a) => a.operation === "Decrypt")).toBe(false);
  }, 60_000);
});

// Crafted file-backend envelopes (go-kms-wrapping types.proto field numbers; openbao sdk/physical/file/file.go layout).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const withKeyId = (keyId: string) => Buffer.concat([bytesField(1, Buffer.alloc(64, 1)), bytesField(2, Buffer.alloc(12, 2)), bytesField(5, Buffer.concat([Buffer.from([0x08, 0x01]), bytesField(3, Buffer.from(keyId)), bytesField(5, Buffer.alloc(32, 4))]))]);
/** gcpckms.go's pre-envelope mechanism GcpCkmsEncrypt: the Cloud KMS ciphertext alone, no KeyInfo. */
const bare = () => bytesField(1, Buffer.alloc(96, 5));

function fileStorage(name: string, sealType: string | undefined, blob: Buffer | undefined): { type: "file"; path: string } {
  const dir = join(root, name);
  mkdirSync(join(dir, "core/hsm"), { recursive: true });
  const entry = (k: string, v: Buffer) => JSON.stringify({ Key: k, Value: v.toString("base64") });
  if (sealType) writeFileSync(join(dir, "core/_seal-config"), entry("core/seal-config", Buffer.from(JSON.stringify({ type: sealType }))));
  if (blob) writeFileSync(join(dir, "core/hsm/_barrier-unseal-keys"), entry("core/hsm/barrier-unseal-keys", blob));
  return { type: "file", path: dir };
}

describe("storage.gcp-version on crafted envelopes (file storage)", () => {
  it("sealed by awskms: seal-type-differs; an AWS envelope under seal-config gcpckms: not-gcp; no KeyInfo: no-version (error)", async () => {
    const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const seal = healthy().seal;
    const differs = await doctor(healthy(), { cfg: config("aws", seal, fileStorage("aws", "awskms", withKeyId(arn))) });
    expect(differs.codes).toEqual(["seal-type-differs"]);
    expect(differs.finding).toMatchObject({ status: "fail", cause: "seal_migration_error", args: { stored: "awskms" } });
    await emu?.close();
    const notGcp = await doctor(healthy(), { cfg: config("aws-under-gcp", seal, fileStorage("aws-under-gcp", "gcpckms", withKeyId(arn))) });
    expect(notGcp.codes).toEqual(["not-gcp"]);
    expect(notGcp.finding.args.keyId).toBe(arn);
    await emu?.close();
    const legacy = await doctor(healthy(), { cfg: config("legacy", seal, fileStorage("legacy", "gcpckms", bare())) });
    expect(legacy.codes).toEqual(["no-version"]);
    expect(legacy.finding.status).toBe("error");
    expect(legacy.code).toBe(1);
  }, 60_000);

  it("no stored keys: not-initialised (warn)", async () => {
    const r = await doctor(healthy(), { cfg: config("fresh", healthy().seal, fileStorage("fresh", undefined, undefined)) });
    expect(r.codes).toEqual(["not-initialised"]);
    expect(r.finding).toMatchObject({ status: "warn", cause: "vault_not_initialized" });
  }, 60_000);

  it("hostile names from storage are shell-quoted in the fix", async () => {
    const hostile = "projects/vault-prod-123456/locations/global/keyRings/r$(id)/cryptoKeys/k'x;rm -rf ~/cryptoKeyVersions/1";
    const r = await doctor(healthy(), { cfg: config("hostile", healthy().seal, fileStorage("hostile", "gcpckms", withKeyId(hostile))) });
    expect(r.codes[0]).toBe("key-drift");
    expect(r.finding.fix.commands).toEqual([`gcloud kms keys versions describe 1 --key 'k'\\''x;rm -rf ~' --keyring 'r$(id)' --location global --project ${PROJECT}`]);
  }, 60_000);

  it("storage the doctor's user may not read: unreadable is an error (fail closed), never a skip", () => {
    const storage = fileStorage("locked", "gcpckms", withKeyId(VERSION1));
    const cfg = config("locked", healthy().seal, storage);
    chmodSync(join(storage.path, "core/hsm/_barrier-unseal-keys"), 0o000);
    chmodSync(root, 0o755);
    try {
      const asRoot = process.getuid?.() === 0;
      const argv = [...(asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []), process.execPath, CLI, "-c", cfg, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*", "--only", "gcpckms.config", "--only", "gcpckms.credentials"];
      const out = spawnSync(argv[0]!, argv.slice(1), { env: baseEnv({}), encoding: "utf8", cwd: ROOT, timeout: 60_000 });
      const check = JSON.parse(out.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.gcp-version");
      expect(check.findings.map((f: any) => [f.code, f.status])).toEqual([["unreadable", "error"]]);
      expect(out.status).toBe(1);
    } finally {
      chmodSync(join(storage.path, "core/hsm/_barrier-unseal-keys"), 0o600);
    }
  });
});
