// --decrypt-stored: one KMS Decrypt of the real stored blob written by a real OpenBao 2.6 (test/storage/
// openbao-data.ts) against the emulator. The test learns the plaintext data key itself (the same Decrypt, from
// here) and proves it appears in none of the doctor's outputs, in any encoding; off by default.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { startEmulator, type Emulator } from "../emulator/index.js";
import type { Scenario } from "../emulator/scenarios.js";
import { baseEnv, runCli } from "../support/cli.js";
import { writeOpenBaoData, type OpenBaoData } from "./openbao-data.js";
import { twoKeyScenario } from "../migrate/two-key-scenario.js";
import { boltGet } from "../../src/storage/bolt.js";
import { wrappedKeyOf } from "../../src/storage/blob-info.js";
import { readStoredSeal, readWrappedKey, storageFromFlag } from "../../src/storage/stored-seal.js";
import { runChecks } from "../../src/runner.js";
import { loadVaultConfig } from "../../src/config/load.js";

const STORED_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

let data: OpenBaoData;
let scratch: string;
let emu: Emulator | undefined;
beforeAll(async () => {
  data = await writeOpenBaoData();
  scratch = mkdtempSync(join(tmpdir(), "vkd-decrypt-stored-"));
}, 120_000);
afterAll(() => {
  rmSync(data.dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function config(name: string): string {
  const file = join(scratch, `${name}.hcl`);
  writeFileSync(file, `storage "raft" {\n  path = ${JSON.stringify(data.dataPath)}\n}\nseal "awskms" {\n  region     = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`);
  return file;
}

async function doctor(args: string[]) {
  const r = await runCli([...args, "--target", "openbao@2.6", "--only", "storage.*", "--only", "awskms.region-key", "--only", "awskms.credentials", "--only", "awskms.key-state"], { env: baseEnv(emu?.env ?? {}) });
  return r;
}

const findings = (stdout: string) => JSON.parse(stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.wrapping-key").findings as any[];

/** The stored key Enabled for DescribeKey, but the role's Decrypt on it denied by the key policy. */
function decryptDenied(): Scenario {
  const s = twoKeyScenario({ oldKeyEncrypt: true });
  const key = s.aws!.keys[0]! as any;
  key.policy = { Version: "2012-10-17", Statement: [{ Sid: "Describe", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:DescribeKey", "kms:Encrypt", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy"], Resource: "*" }, { Sid: "NoDecrypt", Effect: "Deny", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }] };
  return { ...s, name: "stored-decrypt-denied" };
}

describe("--decrypt-stored on real OpenBao data", () => {
  it("decrypts the stored blob's data key; the plaintext is in no output (json, text, stderr, --output file)", async () => {
    emu = await startEmulator("healthy");
    // What the doctor will see, learned here with the same call.
    const wrapped = wrappedKeyOf(boltGet(join(data.dataPath, "vault.db"), ["data"], "core/hsm/barrier-unseal-keys").value!, STORED_ARN)!;
    const kms = new KMSClient({ region: "us-east-1", endpoint: emu.awsEndpoint!, credentials: { accessKeyId: emu.env.AWS_ACCESS_KEY_ID!, secretAccessKey: emu.env.AWS_SECRET_ACCESS_KEY!, sessionToken: emu.env.AWS_SESSION_TOKEN } });
    const plain = Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: wrapped }))).Plaintext!);
    kms.destroy();
    expect(plain.length).toBe(32);
    const encodings = [plain.toString("base64"), plain.toString("hex"), plain.toString("base64url"), plain.toString("latin1"), JSON.stringify([...plain]).slice(1, -1)];

    const cfg = config("probe");
    const out = join(scratch, "report.json");
    const json = await doctor(["-c", cfg, "--decrypt-stored", "--format", "json"]);
    const file = await doctor(["-c", cfg, "--decrypt-stored", "--format", "json", "--output", out]);
    expect(findings(readFileSync(out, "utf8")).map((x) => x.code)).toEqual(["same-key", "decrypt-ok"]);
    const text = await doctor(["-c", cfg, "--decrypt-stored", "--format", "text", "--verbose"]);
    const f = findings(json.stdout);
    expect(f.map((x) => [x.code, x.status])).toEqual([["same-key", "pass"], ["decrypt-ok", "pass"]]);
    expect(f[1].details.decrypted_by).toBe(STORED_ARN);
    expect(json.code).toBe(0);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("--decrypt-stored: KMS decrypted");
    for (const blob of [json.stdout, json.stderr, file.stdout, file.stderr, text.stdout, text.stderr, readFileSync(out, "utf8")]) {
      for (const e of encodings) expect(blob.includes(e)).toBe(false);
    }
    // Off by default: no Decrypt of the stored blob.
    const plainRun = await doctor(["-c", cfg, "--format", "json"]);
    expect(findings(plainRun.stdout).map((x) => x.code)).toEqual(["same-key"]);
  }, 60_000);

  it("Decrypt of the stored blob refused while DescribeKey says Enabled: decrypt-failed, exit 1", async () => {
    emu = await startEmulator(decryptDenied());
    const r = await doctor(["-c", config("denied"), "--decrypt-stored", "--format", "json"]);
    const f = findings(r.stdout);
    expect(f.map((x) => [x.code, x.status])).toEqual([["same-key", "pass"], ["decrypt-failed", "fail"]]);
    expect(f[1].args.error).toMatch(/AccessDenied/);
    expect(r.code).toBe(1);
  }, 60_000);

  it("the entry re-wrapped by a running Vault between the read and the probe: decrypt-unavailable (error), nothing decrypted", async () => {
    emu = await startEmulator("healthy");
    const dir = mkdtempSync(join(scratch, "rewrapped-"));
    copyFileSync(join(data.dataPath, "vault.db"), join(dir, "vault.db"));
    const cfg = join(scratch, "rewrapped.hcl");
    writeFileSync(cfg, `storage "raft" {\n  path = ${JSON.stringify(dir)}\n}\nseal "awskms" {\n  region     = "us-east-1"\n  kms_key_id = "alias/vault-unseal"\n}\n`);
    const env = { ...emu.env, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
    const storage = readStoredSeal(storageFromFlag(dir));
    // Another data folder takes its place after the read (as when Vault's active node re-wraps the stored keys).
    writeFileSync(join(dir, "vault.db"), Buffer.alloc(0));
    const run = await runChecks({ config: loadVaultConfig([cfg], { env }), env, only: ["storage.*", "awskms.region-key", "awskms.credentials", "awskms.key-state"], options: { timeoutMs: 20_000, callTimeoutMs: 5_000, enterprise: false, target: { server: "openbao", version: "2.6", why: "test" }, storage, decryptStored: true } });
    const f = run.targets.flatMap((t) => t.checks).find((c) => c.id === "storage.wrapping-key")!.findings;
    expect(f.map((x) => [x.code, x.status])).toEqual([["same-key", "pass"], ["decrypt-unavailable", "error"]]);
  });
});
