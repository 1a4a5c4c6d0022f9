// HashiCorp Vault's stored-key formats (no Vault binary here; envelopes built from the documented protobufs):
// one seal marshals the bare BlobInfo, as OpenBao does (vault/seal_util.go SealWrapStoredBarrierKeys ->
// MarshalSealWrappedValue); seal HA (1.15+, several seals) marshals "multiwrapvalue:1" + 4-byte big-endian length +
// MultiWrapValue {uint64 generation = 1; repeated BlobInfo slots = 2} (vault/seal/seal_wrapper.go marshal,
// vault/seal/multi_wrap_value.proto) with core/seal-config type "multiseal" (vault/seal_autoseal.go NewAutoSeal).
// The storage checks run for the vault target on both.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { baseEnv, runCli } from "../support/cli.js";
import { BlobFormatError, decodeStoredBlob } from "../../src/storage/blob-info.js";

const ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const varintField = (no: number, v: number) => Buffer.from([...varint(no << 3), ...varint(v)]);
const awsBlob = (arn = ARN) => Buffer.concat([bytesField(1, Buffer.alloc(64, 1)), bytesField(2, Buffer.alloc(12, 2)), bytesField(5, Buffer.concat([varintField(1, 1), bytesField(3, Buffer.from(arn)), bytesField(5, Buffer.alloc(40, 9))]))]);
const transitBlob = (v: number) => Buffer.concat([bytesField(1, Buffer.from(`vault:v${v}:${Buffer.alloc(48, 3).toString("base64")}`)), bytesField(5, bytesField(3, Buffer.from(`v${v}`)))]);

/** Vault's SealWrappedValue marshalling of several slots. */
function multiWrap(generation: number, slots: Buffer[], lengthDelta = 0): Buffer {
  const proto = Buffer.concat([varintField(1, generation), ...slots.map((s) => bytesField(2, s))]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(proto.length + lengthDelta);
  return Buffer.concat([Buffer.from("multiwrapvalue:1"), len, proto]);
}

let root: string;
let emu: Emulator | undefined;
beforeAll(() => void (root = mkdtempSync(join(tmpdir(), "vkd-vaultformat-"))));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function fileStorage(name: string, sealType: string, value: Buffer): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "core/hsm"), { recursive: true });
  const entry = (k: string, v: Buffer) => JSON.stringify({ Key: k, Value: v.toString("base64") });
  writeFileSync(join(dir, "core/_seal-config"), entry("core/seal-config", Buffer.from(JSON.stringify({ type: sealType }))));
  writeFileSync(join(dir, "core/hsm/_barrier-unseal-keys"), entry("core/hsm/barrier-unseal-keys", value));
  return dir;
}

async function wrappingKey(storage: string) {
  const hcl = join(root, `${Math.random().toString(36).slice(2)}.hcl`);
  writeFileSync(hcl, `storage "file" {\n  path = ${JSON.stringify(storage)}\n}\nseal "awskms" {\n  region     = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`);
  const r = await runCli(["-c", hcl, "--target", "vault", "--format", "json", "--only", "storage.*", "--only", "awskms.region-key", "--only", "awskms.credentials", "--only", "awskms.key-state"], { env: baseEnv(emu?.env ?? {}) });
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  const check = report?.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.wrapping-key");
  return { ...r, findings: (check?.findings ?? []) as any[] };
}

describe("decodeStoredBlob: both servers' formats", () => {
  it("a bare BlobInfo (OpenBao; Vault with one seal) decodes as before", () => {
    const b = decodeStoredBlob(awsBlob());
    expect(b.keyInfo).toMatchObject({ mechanism: 1n, keyId: ARN, wrappedKeyBytes: 40 });
    expect(b.slots).toBeUndefined();
  });

  it("Vault's seal-HA MultiWrapValue: every slot, the generation, the first slot as the blob", () => {
    const b = decodeStoredBlob(multiWrap(7, [transitBlob(3), awsBlob()]));
    expect(b.generation).toBe(7n);
    expect(b.slots!.map((s) => s.keyInfo?.keyId)).toEqual(["v3", ARN]);
    expect(b.transitVersion).toBe(3);
    expect(b.slots![1]!.ivBytes).toBe(12);
  });

  it("a damaged MultiWrapValue is refused with a reason", () => {
    expect(() => decodeStoredBlob(multiWrap(1, [awsBlob()], 5))).toThrow(BlobFormatError);
    expect(() => decodeStoredBlob(multiWrap(1, []))).toThrow(/no slots/);
    expect(() => decodeStoredBlob(Buffer.from("multiwrapvalue:1\x00"))).toThrow(/without its length/);
  });
});

describe("storage.wrapping-key for the vault target", () => {
  it("one seal (bare BlobInfo): the check runs and finds the same key", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("single", "awskms", awsBlob()));
    expect(r.findings.map((f) => f.code)).toEqual(["same-key"]);
    expect(r.code).toBe(0);
  });

  it("seal HA (multiseal, two slots): the awskms slot is the one checked, every slot listed", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("multi", "multiseal", multiWrap(2, [transitBlob(1), awsBlob()])));
    expect(r.findings.map((f) => f.code)).toEqual(["same-key"]);
    expect(r.findings[0].details).toMatchObject({ stored_seal_type: "multiseal", wrapping_key: ARN, stored_slots: ["v1", ARN] });
  });

  it("seal HA without an awskms slot: seal-type-differs", async () => {
    emu = await startEmulator("healthy");
    const r = await wrappingKey(fileStorage("multi-transit", "multiseal", multiWrap(2, [transitBlob(1), transitBlob(2)])));
    expect(r.findings.map((f) => f.code)).toEqual(["seal-type-differs"]);
  });

  it("a truncated MultiWrapValue: exit 2 naming the file, no stack trace, the file unchanged", async () => {
    const dir = fileStorage("truncated", "multiseal", multiWrap(2, [awsBlob()]).subarray(0, 40));
    const file = join(dir, "core/hsm/_barrier-unseal-keys");
    const before = { bytes: readFileSync(file).toString("base64"), mtimeMs: statSync(file).mtimeMs };
    const r = await wrappingKey(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect({ bytes: readFileSync(file).toString("base64"), mtimeMs: statSync(file).mtimeMs }).toEqual(before);
  });
});
