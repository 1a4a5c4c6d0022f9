// storage.azure-version: the Key Vault key version that wrapped the stored root key (the azurekeyvault wrapper
// records only the version, go-kms-wrapping wrappers/azurekeyvault v2.4.0 Encrypt, and unwraps with it). Crafted
// file-backend envelopes as that wrapper's BlobInfo (key id = a 32-hex version of the loopback Azure emulator's
// key), read by the real CLI, which asks the emulator's Key Vault for that version over HTTPS. The same verdict
// against a real OpenBao 2.6: `npm run conformance -- --only azure:older-version-disabled`.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, baseEnv, runCli } from "../support/cli.js";
import { startAzureEmulator, type AzureEmulator, type AzureKeyStore } from "../emulator/azure/server.js";
import { APP, azureScenario, KEY, TENANT, VAULT } from "../emulator/azure/scenarios.js";

let root: string;
let emu: AzureEmulator;
const store: AzureKeyStore = new Map();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "vkd-azure-stored-"));
  // Version 0 disabled, version 1 (the latest) enabled: a rotation after which the old version was disabled.
  emu = await startAzureEmulator(azureScenario("older-version-disabled"), { keyStore: store });
});

afterAll(async () => {
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

// BlobInfo as the wrapper marshals it (field numbers from go-kms-wrapping types.proto: ciphertext 1, iv 2, key_info 5
// with key_id 3 and wrapped_key 4).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const azureBlob = (version: string) => Buffer.concat([bytesField(1, Buffer.alloc(64, 1)), bytesField(2, Buffer.alloc(12, 2)), bytesField(5, Buffer.concat([bytesField(3, Buffer.from(version)), bytesField(4, Buffer.alloc(256, 4))]))]);

function fileStorage(name: string, sealType: string | undefined, blob: Buffer | undefined): { dir: string; config: string } {
  const dir = join(root, name);
  mkdirSync(join(dir, "core/hsm"), { recursive: true });
  const entry = (k: string, v: Buffer) => JSON.stringify({ Key: k, Value: v.toString("base64") });
  if (sealType) writeFileSync(join(dir, "core/_seal-config"), entry("core/seal-config", Buffer.from(JSON.stringify({ type: sealType }))));
  if (blob) writeFileSync(join(dir, "core/hsm/_barrier-unseal-keys"), entry("core/hsm/barrier-unseal-keys", blob));
  const config = join(root, `${name}.hcl`);
  writeFileSync(config, `storage "file" {\n  path = ${JSON.stringify(dir)}\n}\nseal "azurekeyvault" {\n  tenant_id = "${TENANT}"\n  client_id = "${APP.clientId}"\n  client_secret = "${APP.secret}"\n  vault_name = "${VAULT}"\n  key_name = "${KEY}"\n}\n`);
  return { dir, config };
}

async function doctor(config: string) {
  const r = await runCli(["-c", config, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*"], { env: baseEnv(emu.env) });
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  const check = report?.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.azure-version");
  return { ...r, check, codes: check?.findings.map((f: any) => f.code) };
}

const version = (i: number) => store.get(`${KEY}/${i}`)!.id;

describe("storage.azure-version on crafted envelopes (file storage) against the loopback Key Vault", () => {
  it("the recorded version enabled: ok; disabled: version-disabled with the enable command", async () => {
    const ok = await doctor(fileStorage("ok", "azurekeyvault", azureBlob(version(1))).config);
    expect(ok.codes).toEqual(["ok"]);
    expect(ok.check.findings[0]).toMatchObject({ status: "pass", args: { version: version(1), name: KEY } });
    const off = await doctor(fileStorage("off", "azurekeyvault", azureBlob(version(0))).config);
    expect(off.codes).toEqual(["version-disabled"]);
    expect(off.check.findings[0]).toMatchObject({ status: "fail", cause: "key_disabled", args: { version: version(0) } });
    expect(off.check.findings[0].fix.commands).toEqual([`az keyvault key set-attributes --vault-name ${VAULT} --name ${KEY} --version ${version(0)} --enabled true`]);
    expect(off.code).toBe(1);
  }, 60_000);

  it("a version the key does not have: version-missing; a key id that is no Key Vault version: failed (error)", async () => {
    const missing = await doctor(fileStorage("missing", "azurekeyvault", azureBlob("0123456789abcdef0123456789abcdef")).config);
    expect(missing.codes).toEqual(["version-missing"]);
    expect(missing.check.findings[0]).toMatchObject({ cause: "key_not_found", args: { vault: VAULT } });
    const odd = await doctor(fileStorage("odd", "azurekeyvault", azureBlob("v1")).config);
    expect(odd.codes).toEqual(["failed"]);
    expect(odd.check.findings[0].status).toBe("error");
  }, 60_000);

  it("sealed by awskms: seal-type-differs; no stored keys: not-initialised", async () => {
    expect((await doctor(fileStorage("aws", "awskms", azureBlob(version(1))).config)).codes).toEqual(["seal-type-differs"]);
    const fresh = await doctor(fileStorage("fresh", undefined, undefined).config);
    expect(fresh.codes).toEqual(["not-initialised"]);
    expect(fresh.check.findings[0].status).toBe("warn");
  }, 60_000);

  it("storage the doctor's user may not read: unreadable is an error (fail closed), never a skip", async () => {
    const { dir, config } = fileStorage("locked", "azurekeyvault", azureBlob(version(1)));
    chmodSync(join(dir, "core/hsm/_barrier-unseal-keys"), 0o000);
    chmodSync(root, 0o755);
    // The emulator's CA (VAULT_KMS_DOCTOR_AZURE_CA_FILE) must stay readable to that user: the credential comes first.
    chmodSync(dirname(emu.caFile), 0o755);
    try {
      const asRoot = process.getuid?.() === 0;
      const argv = [...(asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []), process.execPath, CLI, "-c", config, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*"];
      // Asynchronous: the emulator answers from this process's event loop.
      const out = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { env: baseEnv(emu.env), cwd: ROOT, timeout: 60_000, stdio: ["ignore", "pipe", "ignore"] });
        let stdout = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.once("close", (status) => resolve({ status, stdout }));
      });
      const check = JSON.parse(out.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.azure-version");
      expect(check.findings.map((f: any) => [f.code, f.status])).toEqual([["unreadable", "error"]]);
      expect(out.status).toBe(1);
    } finally {
      chmodSync(join(dir, "core/hsm/_barrier-unseal-keys"), 0o600);
    }
  }, 60_000);
});
