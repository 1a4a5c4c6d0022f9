// storage.wrapping-key on OpenBao's file storage layout (sdk/physical/file/file.go: `<path>/core/hsm/_barrier-unseal-keys`,
// JSON {"Key", "Value": base64}), with envelopes written here the way go-kms-wrapping's BlobInfo is marshalled
// (field numbers from types.proto), so the recorded key can be any ARN: one in another state, one the identity
// may not describe, one that does not exist, and a non-AWS key id.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { loadScenario, type Scenario } from "../emulator/scenarios.js";
import { baseEnv, runCli } from "../support/cli.js";
import { decodeBlobInfo } from "../../src/storage/blob-info.js";

const ACCOUNT = "111122223333";
const arn = (id: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}`;
const HEALTHY = arn("1234abcd-12ab-34cd-56ef-1234567890ab");
const IMPORTING = arn("5555aaaa-55aa-55aa-55aa-555555555555");
const UNDESCRIBABLE = arn("6666bbbb-66bb-66bb-66bb-666666666666");
const MISSING = arn("7777cccc-77cc-77cc-77cc-777777777777");

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const varintField = (no: number, v: number) => Buffer.from([...varint(no << 3), ...varint(v)]);

/** A BlobInfo as proto.Marshal writes it: ciphertext 1, iv 2, key_info 5 {mechanism 1, key_id 3, wrapped_key 5}. */
function blobInfo(keyId: string): Buffer {
  const keyInfo = Buffer.concat([varintField(1, 1), bytesField(3, Buffer.from(keyId)), bytesField(5, Buffer.alloc(40, 9))]);
  return Buffer.concat([bytesField(1, Buffer.alloc(64, 1)), bytesField(2, Buffer.alloc(12, 2)), bytesField(5, keyInfo)]);
}

let root: string;
let emu: Emulator | undefined;
beforeAll(() => void (root = mkdtempSync(join(tmpdir(), "vkd-filestorage-"))));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function fileStorage(name: string, sealType: string | undefined, keyId: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "core/hsm"), { recursive: true });
  const entry = (key: string, value: Buffer) => JSON.stringify({ Key: key, Value: value.toString("base64") });
  if (sealType) writeFileSync(join(dir, "core/_seal-config"), entry("core/seal-config", Buffer.from(JSON.stringify({ type: sealType, secret_shares: 1 }))));
  writeFileSync(join(dir, "core/hsm/_barrier-unseal-keys"), entry("core/hsm/barrier-unseal-keys", blobInfo(keyId)));
  return dir;
}

/** Healthy, plus a key waiting for imported material (Vault's role may describe it) and one it may not describe. */
function storedKeysScenario(): Scenario {
  const s = structuredClone(loadScenario("healthy"));
  const aws = s.aws!;
  const base = aws.keys[0]!;
  aws.keys.push({ ...structuredClone(base), keyId: IMPORTING.split("/")[1]!, aliases: [], keyState: "PendingImport" } as typeof base);
  aws.keys.push({ ...structuredClone(base), keyId: UNDESCRIBABLE.split("/")[1]!, aliases: [] });
  const policy = aws.roles!.find((r) => r.name === "vault-unseal")!.inlinePolicies!["vault-kms-unseal"]!;
  policy.Statement = [...(Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]), { Sid: "Importing", Effect: "Allow", Action: ["kms:DescribeKey", "kms:Decrypt"], Resource: IMPORTING }] as typeof policy.Statement;
  return { ...s, name: "stored-keys" };
}

async function wrappingKey(storage: string, kmsKeyId = "alias/vault-unseal") {
  const hcl = join(root, `${Math.random().toString(36).slice(2)}.hcl`);
  writeFileSync(hcl, `storage "file" {\n  path = ${JSON.stringify(storage)}\n}\nseal "awskms" {\n  region     = "us-east-1"\n  kms_key_id = ${JSON.stringify(kmsKeyId)}\n}\n`);
  const r = await runCli(["-c", hcl, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*", "--only", "awskms.region-key", "--only", "awskms.credentials", "--only", "awskms.key-state"], { env: baseEnv(emu?.env ?? {}) });
  const report = JSON.parse(r.stdout);
  const check = report.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.wrapping-key");
  return { code: r.code, findings: check.findings as any[] };
}

describe("storage.wrapping-key on file storage", () => {
  it("the test envelope decodes as the real one does", () => {
    expect(decodeBlobInfo(blobInfo(HEALTHY)).keyInfo).toMatchObject({ mechanism: 1n, keyId: HEALTHY, wrappedKeyBytes: 40 });
  });

  it("same key on file storage: same-key", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("same", "awskms", HEALTHY));
    expect(r.findings.map((f) => f.code)).toEqual(["same-key"]);
    expect(r.findings[0].details).toMatchObject({ storage_type: "file", wrapping_key: HEALTHY });
  });

  it("stored keys sealed by another seal type: seal-type-differs (a migration, not a restart)", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("shamir", "gcpckms", "projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"));
    expect(r.findings.map((f) => f.code)).toEqual(["seal-type-differs"]);
    expect(r.findings[0]).toMatchObject({ status: "fail", cause: "seal_migration_error" });
    expect(r.code).toBe(1);
  });

  it("a key id that is no AWS key ARN: not-aws", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("not-aws", undefined, "projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"));
    expect(r.findings.map((f) => f.code)).toEqual(["not-aws"]);
  });

  it("recorded key waiting for key material: recorded-other-state; not describable: recorded-denied (error); gone: recorded-not-found", async () => {
    emu = await startEmulator(storedKeysScenario());
    const importing = await wrappingKey(fileStorage("importing", "awskms", IMPORTING));
    expect(importing.findings.map((f) => f.code)).toEqual(["recorded-other-state"]);
    expect(importing.findings[0].args.state).toBe("PendingImport");
    const denied = await wrappingKey(fileStorage("denied", "awskms", UNDESCRIBABLE));
    expect(denied.findings.map((f) => [f.code, f.status])).toEqual([["recorded-denied", "error"]]);
    expect(denied.code).not.toBe(0);
    const missing = await wrappingKey(fileStorage("missing", "awskms", MISSING));
    expect(missing.findings.map((f) => [f.code, f.status])).toEqual([["recorded-not-found", "fail"]]);
  });

  it("configured key that cannot be resolved to an ARN: drift-unresolved, naming the recorded key", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("unresolved", "awskms", HEALTHY), "alias/no-such-alias");
    expect(r.findings.map((f) => f.code)).toEqual(["drift-unresolved"]);
    expect(r.findings[0].args.stored).toBe(HEALTHY);
  });
});

describe("storage that is not a file", () => {
  it("a FIFO named vault.db is refused at once (exit 2), never opened blocking", async () => {
    const { execFileSync } = await import("node:child_process");
    const dir = join(root, "fifo");
    mkdirSync(dir, { recursive: true });
    execFileSync("mkfifo", [join(dir, "vault.db")]);
    const hcl = join(root, "fifo.hcl");
    writeFileSync(hcl, `storage "raft" {\n  path = ${JSON.stringify(dir)}\n}\nseal "awskms" {\n  region     = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`);
    const r = await runCli(["-c", hcl, "--target", "openbao@2.6", "--format", "json"], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(dir, "vault.db"));
    expect(r.stderr).toContain("not a regular file");
  });
});
