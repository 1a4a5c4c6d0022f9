// `migrate` with Vault's storage read: the old (disabled) awskms seal is checked against the key that wrapped the
// stored root key, not only the key its stanza names. Storage written by a real OpenBao 2.6 (test/storage/
// openbao-data.ts: wrapped by the healthy scenario's key, alias/vault-unseal) and crafted file storage.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import type { Scenario } from "../emulator/scenarios.js";
import { ROOT, baseEnv, runCli } from "../support/cli.js";
import { writeOpenBaoData, type OpenBaoData } from "../storage/openbao-data.js";
import { OLD_KEY_ID, twoKeyScenario } from "./two-key-scenario.js";

const FIXTURE = join(ROOT, "fixtures/configs/migrations/awskms-to-awskms/vault.hcl");
const NEW_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OLD_ARN = `arn:aws:kms:us-east-1:111122223333:key/${OLD_KEY_ID}`;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const blob = (keyId: string, ciphertext: Buffer = Buffer.alloc(64, 1)) => Buffer.concat([bytesField(1, ciphertext), bytesField(5, bytesField(3, Buffer.from(keyId)))]);

let data: OpenBaoData;
let root: string;
let emu: Emulator | undefined;
beforeAll(async () => {
  data = await writeOpenBaoData();
  root = mkdtempSync(join(tmpdir(), "vkd-migrate-stored-"));
}, 120_000);
afterAll(() => {
  rmSync(data.dir, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});
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

async function oldSeal(extra: string[]) {
  const r = await runCli(["migrate", "-c", FIXTURE, ...extra, "--target", "openbao@2.6", "--format", "json"], { env: baseEnv(emu?.env ?? {}) });
  const { report } = JSON.parse(r.stdout);
  const target = report.targets.find((t: any) => t.id === "awskms-disabled");
  return target.checks.find((c: any) => c.id === "migrate.old-seal-decrypt").findings as any[];
}

/** Two keys; the one alias/vault-unseal names (it wrapped the real OpenBao data) is Disabled. */
function newKeyDisabled(): Scenario {
  const s = twoKeyScenario({ oldKeyEncrypt: true });
  const keys = s.aws!.keys;
  keys[0] = { ...keys[0]!, keyState: "Disabled" } as (typeof keys)[number];
  return { ...s, name: "stored-key-disabled" };
}

describe("migrate.old-seal-decrypt with the stored root key's wrapping key", () => {
  it("stored blob wrapped by the old key: that ARN is probed (key_source stored), decrypt-ok", async () => {
    emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt: true }));
    const f = await oldSeal(["--storage-path", fileStorage("old", "awskms", blob(OLD_ARN))]);
    expect(f.map((x) => x.code)).toEqual(["decrypt-ok"]);
    expect(f[0].details).toMatchObject({ key_source: "stored", stored_key: OLD_ARN, configured_key: "alias/vault-unseal-old" });
  });

  it("real OpenBao storage wrapped by a key that is Disabled, while the old stanza's key works: the stanza alone passes, the stored key fails", async () => {
    emu = await startEmulator(newKeyDisabled());
    const alone = await oldSeal([]);
    expect(alone.map((x) => x.code)).toEqual(["decrypt-ok"]);
    expect(alone[0].details).toMatchObject({ key_source: "configured" });
    const f = await oldSeal(["--storage-path", data.dataPath]);
    expect(f.map((x) => [x.code, x.status])).toEqual([["failed", "fail"]]);
    expect(f[0].args).toMatchObject({ arn: NEW_ARN });
    expect(f[0].details).toMatchObject({ key_source: "stored", stored_key: NEW_ARN });
  }, 60_000);

  it("storage sealed by another seal type: stored-other-seal, and the stanza's key is checked", async () => {
    emu = await startEmulator(twoKeyScenario({ oldKeyEncrypt: true }));
    const f = await oldSeal(["--storage-path", fileStorage("transit", "transit", blob("v1", Buffer.from("vault:v1:AAAA")))]);
    expect(f.map((x) => [x.code, x.status])).toEqual([["stored-other-seal", "warn"], ["decrypt-ok", "pass"]]);
    expect(f[0].args.stored).toBe("v1");
  });
});
