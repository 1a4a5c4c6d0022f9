// storage.transit-version: a real OpenBao 2.6 dev server is the transit engine, a second real OpenBao with
// seal "transit" is initialised against it (raft storage); the doctor reads that raft folder and the key's
// versions over the real API, and a restart of the sealed server agrees with the verdict. Crafted file-backend
// envelopes (the transit wrapper's BlobInfo: ciphertext "vault:v<N>:...", key_id "v<N>") cover the versions a
// live key cannot reach cheaply (trimmed, from the future).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, SEAL_POLICY, startDevServer, type DevServer } from "../transit/dev-server.js";
import { freePort, runBao, startServer, waitFor } from "../conformance/openbao.js";
import { CLI, ROOT, baseEnv, runCli } from "../support/cli.js";
import { peerBinary } from "../support/peers.js";
import { decodeStoredBlob } from "../../src/storage/blob-info.js";
import { boltGet } from "../../src/storage/bolt.js";

let upstream: DevServer;
let token: string;
let root: string;
let template: string;

function serverConfig(dir: string, api: number, cluster: number, key = "unseal", address = upstream.addr, sealToken = token): string {
  const path = join(dir, "server.hcl");
  writeFileSync(path, `storage "raft" {
  path    = ${JSON.stringify(join(dir, "data"))}
  node_id = "transit-stored"
}
listener "tcp" {
  address         = "127.0.0.1:${api}"
  cluster_address = "127.0.0.1:${cluster}"
  tls_disable     = true
}
seal "transit" {
  address    = ${JSON.stringify(address)}
  token      = ${JSON.stringify(sealToken)}
  mount_path = "transit"
  key_name   = ${JSON.stringify(key)}
}
api_addr     = "http://127.0.0.1:${api}"
cluster_addr = "https://127.0.0.1:${cluster}"
`);
  return path;
}

const env = (home: string) => ({ PATH: process.env.PATH, HOME: home, NO_COLOR: "1" });

async function ok(p: Promise<{ status: number; json: unknown }>) {
  const r = await p;
  if (r.status >= 300) throw new Error(`transit set-up failed: ${r.status} ${JSON.stringify(r.json)}`);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "vkd-transit-stored-"));
  upstream = await startDevServer();
  await ok(upstream.api("POST", "sys/mounts/transit", { type: "transit" }));
  for (const k of ["unseal", "other"]) await ok(upstream.api("POST", `transit/keys/${k}`, {}));
  token = upstream.rootToken;
  // The sealed server, initialised once against key "unseal" at version 1.
  template = join(root, "template");
  mkdirSync(join(template, "data"), { recursive: true });
  const bao = peerBinary("bao");
  const [api, cluster] = [await freePort(), await freePort()];
  const server = startServer(bao, serverConfig(template, api, cluster), api, env(template));
  try {
    const up = await waitFor(server, 30_000, () => true);
    if (!up.status) throw new Error(`the sealed server did not answer:\n${server.log().slice(-3000)}`);
    const init = await runBao(bao, ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"], { ...env(template), BAO_ADDR: server.addr }, 60_000);
    if (init.code !== 0) throw new Error(`bao operator init failed: ${init.stderr.slice(0, 2000)}`);
    const unsealed = await waitFor(server, 30_000, (s) => s.initialized && !s.sealed);
    if (!unsealed.status || unsealed.status.sealed) throw new Error(`did not unseal:\n${server.log().slice(-3000)}`);
  } finally {
    await server.stop();
  }
}, 120_000);

afterAll(async () => {
  await upstream?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A copy of the initialised folder with its config (pointing at `key`). */
async function copy(name: string, key = "unseal", address?: string, sealToken?: string): Promise<{ dir: string; config: string; api: number }> {
  const dir = join(root, name);
  cpSync(template, dir, { recursive: true });
  const [api, cluster] = [await freePort(), await freePort()];
  return { dir, config: serverConfig(dir, api, cluster, key, address, sealToken), api };
}

async function restartUnseals(c: { dir: string; config: string; api: number }): Promise<boolean> {
  const server = startServer(peerBinary("bao"), c.config, c.api, env(c.dir));
  try {
    const r = await waitFor(server, 20_000, (s) => s.initialized && !s.sealed);
    return Boolean(r.status?.initialized && r.status.sealed === false);
  } finally {
    await server.stop();
  }
}

async function doctor(config: string, extra: string[] = []) {
  const r = await runCli(["-c", config, ...extra, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*"], { env: baseEnv({}) });
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  const check = report?.targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.transit-version");
  return { ...r, check, codes: check?.findings.map((f: any) => f.code) };
}

describe("storage.transit-version against a real OpenBao transit engine and a real sealed OpenBao", () => {
  it("reads the transit envelope OpenBao wrote: version 1 of the key, key id v1", () => {
    const blob = decodeStoredBlob(boltGet(join(template, "data", "vault.db"), ["data"], "core/hsm/barrier-unseal-keys").value!);
    expect(blob.transitVersion).toBe(1);
    expect(blob.keyInfo?.keyId).toBe("v1");
  });

  it("healthy: ok, and the restart unseals", async () => {
    const c = await copy("healthy");
    const r = await doctor(c.config);
    expect(r.codes).toEqual(["ok"]);
    expect(r.check.findings[0].details).toMatchObject({ wrapping_version: 1, latest_version: 1, min_decryption_version: 1, transit_key: "unseal", storage_type: "raft" });
    expect(r.code).toBe(0);
    expect(await restartUnseals(c)).toBe(true);
  }, 60_000);

  it("key rotated and min_decryption_version raised above the recorded version: below-min-decryption, the gate holds, the restart fails; the fix makes both unseal again", async () => {
    await ok(upstream.api("POST", "transit/keys/unseal/rotate", {}));
    await ok(upstream.api("POST", "transit/keys/unseal/config", { min_decryption_version: 2 }));
    try {
      const c = await copy("raised");
      const r = await doctor(c.config);
      expect(r.codes).toEqual(["below-min-decryption"]);
      expect(r.check.findings[0]).toMatchObject({ status: "fail", cause: "unseal_decrypt_failed", args: { version: 1, minDecrypt: 2, latest: 2, key: "unseal" } });
      expect(r.check.findings[0].fix.commands).toEqual([`VAULT_ADDR=${upstream.addr} vault write transit/keys/unseal/config min_decryption_version=1`]);
      expect(r.code).toBe(1);
      const gate = await runCli(["gate", "-c", c.config, "--target", "openbao@2.6", "--format", "json"], { env: baseEnv({}) });
      expect(gate.code).toBe(1);
      expect(gate.stdout).toContain("below-min-decryption");
      expect(await restartUnseals(c)).toBe(false);
      // The fix, as printed (lowering is allowed while the version is not trimmed).
      await ok(upstream.api("POST", "transit/keys/unseal/config", { min_decryption_version: 1 }));
      expect((await doctor(c.config)).codes).toEqual(["ok"]);
      expect(await restartUnseals(await copy("raised-fixed"))).toBe(true);
    } finally {
      await ok(upstream.api("POST", "transit/keys/unseal/config", { min_decryption_version: 1 }));
    }
  }, 120_000);

  it("key_name pointing at a key that does not exist: key-missing; a token that may not read the key: failed (error, naming the permission)", async () => {
    const missing = await copy("missing", "no-such-key");
    const r = await doctor(missing.config);
    expect(r.codes).toEqual(["key-missing"]);
    expect(r.check.findings[0]).toMatchObject({ status: "fail", cause: "key_not_found" });
    // The seal's least policy (encrypt/decrypt only): the doctor's read of the key is denied; it cannot look.
    await ok(upstream.api("PUT", "sys/policies/acl/seal-only", { policy: SEAL_POLICY("transit", "unseal") }));
    const sealOnly = await createToken(upstream, { policies: ["seal-only"] });
    const denied = await copy("denied", "unseal", undefined, sealOnly);
    const u = await doctor(denied.config);
    expect(u.codes).toEqual(["failed"]);
    expect(u.check.findings[0]).toMatchObject({ status: "error", doctorPermission: "read on transit/keys/unseal" });
    // The project's rule for the doctor's own missing permission (src/report/report.ts decidesVerdict): reported,
    // and not Vault's verdict.
    expect(u.code).toBe(0);
  }, 60_000);
});

// Crafted file-backend envelopes, as the transit wrapper marshals them (field numbers from types.proto).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) (out.push((n & 0x7f) | 0x80), (n >>>= 7));
  out.push(n);
  return out;
}
const bytesField = (no: number, b: Uint8Array) => Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
const transitBlob = (version: number) => Buffer.concat([bytesField(1, Buffer.from(`vault:v${version}:${Buffer.alloc(48, 3).toString("base64")}`)), bytesField(5, bytesField(3, Buffer.from(`v${version}`)))]);
const awsBlob = () => Buffer.concat([bytesField(1, Buffer.alloc(64, 1)), bytesField(2, Buffer.alloc(12, 2)), bytesField(5, bytesField(3, Buffer.from("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")))]);

function fileStorage(name: string, sealType: string | undefined, blob: Buffer | undefined, key: string): { dir: string; config: string } {
  const dir = join(root, name);
  mkdirSync(join(dir, "core/hsm"), { recursive: true });
  const entry = (k: string, v: Buffer) => JSON.stringify({ Key: k, Value: v.toString("base64") });
  if (sealType) writeFileSync(join(dir, "core/_seal-config"), entry("core/seal-config", Buffer.from(JSON.stringify({ type: sealType }))));
  if (blob) writeFileSync(join(dir, "core/hsm/_barrier-unseal-keys"), entry("core/hsm/barrier-unseal-keys", blob));
  const config = join(root, `${name}.hcl`);
  writeFileSync(config, `storage "file" {\n  path = ${JSON.stringify(dir)}\n}\nseal "transit" {\n  address = ${JSON.stringify(upstream.addr)}\n  token = ${JSON.stringify(token)}\n  mount_path = "transit"\n  key_name = ${JSON.stringify(key)}\n}\n`);
  return { dir, config };
}

describe("storage.transit-version on crafted envelopes (file storage)", () => {
  it("a version above latest: future-version; below min_available_version: trimmed", async () => {
    await ok(upstream.api("POST", "transit/keys/other/rotate", {}));
    await ok(upstream.api("POST", "transit/keys/other/rotate", {}));
    const future = await doctor(fileStorage("future", "transit", transitBlob(9), "other").config);
    expect(future.codes).toEqual(["future-version"]);
    expect(future.check.findings[0]).toMatchObject({ cause: "unseal_decrypt_failed", args: { version: 9, latest: 3 } });
    await ok(upstream.api("POST", "transit/keys/other/config", { min_decryption_version: 3, min_encryption_version: 3 }));
    await ok(upstream.api("POST", "transit/keys/other/trim", { min_available_version: 2 }));
    const trimmed = await doctor(fileStorage("trimmed", "transit", transitBlob(1), "other").config);
    expect(trimmed.codes).toEqual(["trimmed"]);
    expect(trimmed.check.findings[0]).toMatchObject({ cause: "key_destroyed", args: { version: 1, minAvailable: 2 } });
    expect(trimmed.code).toBe(1);
  }, 60_000);

  it("sealed by awskms: seal-type-differs; an AWS envelope under a transit seal config: not-transit; no stored keys: not-initialised", async () => {
    expect((await doctor(fileStorage("aws", "awskms", awsBlob(), "unseal").config)).codes).toEqual(["seal-type-differs"]);
    expect((await doctor(fileStorage("aws-under-transit", "transit", awsBlob(), "unseal").config)).codes).toEqual(["not-transit"]);
    const fresh = await doctor(fileStorage("fresh", undefined, undefined, "unseal").config);
    expect(fresh.codes).toEqual(["not-initialised"]);
    expect(fresh.check.findings[0].status).toBe("warn");
  }, 60_000);

  it("storage the doctor's user may not read: unreadable is an error (fail closed), never a skip", () => {
    const { dir, config } = fileStorage("locked", "transit", transitBlob(1), "unseal");
    chmodSync(join(dir, "core/hsm/_barrier-unseal-keys"), 0o000);
    chmodSync(root, 0o755);
    try {
      const asRoot = process.getuid?.() === 0;
      const argv = [...(asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []), process.execPath, CLI, "-c", config, "--target", "openbao@2.6", "--format", "json", "--only", "storage.*"];
      const out = spawnSync(argv[0]!, argv.slice(1), { env: baseEnv({}), encoding: "utf8", cwd: ROOT, timeout: 60_000 });
      const check = JSON.parse(out.stdout).targets.flatMap((t: any) => t.checks).find((c: any) => c.id === "storage.transit-version");
      expect(check.findings.map((f: any) => [f.code, f.status])).toEqual([["unreadable", "error"]]);
      expect(out.status).toBe(1);
    } finally {
      chmodSync(join(dir, "core/hsm/_barrier-unseal-keys"), 0o600);
    }
  });
});
