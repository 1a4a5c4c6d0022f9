// A real PKCS#11 token per test: SoftHSM2 (Debian softhsm2) with its own SOFTHSM2_CONF and token directory
// in a temporary folder, keys made with OpenSC's pkcs11-tool. Both come from `npm run peers` (.peers/bin,
// .peers/lib); a test that needs them fails — never skips — when they are missing. Test setup creates keys;
// the doctor never does.
import { accessSync, constants, mkdtempSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const PEERS = fileURLToPath(new URL("../../.peers/", import.meta.url));

function peer(path: string): string {
  const full = join(PEERS, path);
  try {
    accessSync(full, constants.R_OK);
  } catch {
    throw new Error(`SoftHSM2 peer ${full} is missing: run \`npm run peers\` first`);
  }
  return full;
}

export const softhsmLib = () => peer("lib/libsofthsm2.so");
const softhsmUtil = () => peer("bin/softhsm2-util");
const pkcs11Tool = () => peer("bin/pkcs11-tool");

export interface TestToken {
  dir: string;
  conf: string;
  env: NodeJS.ProcessEnv;
  label: string;
  pin: string;
  soPin: string;
  lib: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { env: { ...process.env, ...env }, timeout: 30_000, maxBuffer: 1 << 20, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh SoftHSM2 installation with one initialised token. */
export function newToken(label = "vault-hsm", pin = "1234", soPin = "5678"): TestToken {
  const dir = mkdtempSync(join(tmpdir(), "vkd-hsm-"));
  const conf = join(dir, "softhsm2.conf");
  const tokens = join(dir, "tokens");
  execFileSync("mkdir", ["-p", tokens]);
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { SOFTHSM2_CONF: conf };
  run(softhsmUtil(), ["--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", pin], env);
  return { dir, conf, env, label, pin, soPin, lib: softhsmLib() };
}

/** pkcs11-tool logged in to the token (test setup only: the doctor never changes a token). */
export function tool(t: TestToken, args: string[]): string {
  return run(pkcs11Tool(), ["--module", t.lib, "--token-label", t.label, "--login", "--pin", t.pin, ...args], t.env);
}

export function aesKey(t: TestToken, label: string, id: string, bytes = 32): void {
  tool(t, ["--keygen", "--key-type", `aes:${bytes}`, "--label", label, "--id", id]);
}

export function rsaKeyPair(t: TestToken, label: string, id: string, bits = 2048): void {
  tool(t, ["--keypairgen", "--key-type", `rsa:${bits}`, "--label", label, "--id", id]);
}

/** The slot the token was reassigned to (SoftHSM renumbers at --init-token). */
export function tokenSlot(t: TestToken): string {
  const out = run(softhsmUtil(), ["--show-slots"], t.env);
  for (const b of out.split(/^Slot /m).slice(1)) if (new RegExp(`Label:[ \\t]+${t.label}[ \\t]*$`, "m").test(b)) return /^(\d+)/.exec(b)![1]!;
  throw new Error(`token ${t.label} not in softhsm2-util --show-slots`);
}

/**
 * Keys with attributes pkcs11-tool cannot set (CKA_ENCRYPT / CKA_DECRYPT false), made with the binding in a
 * separate node process (test setup only). `kind` aes: one secret key; rsa: a key pair, `attrs` on the public key.
 */
export function keyWithAttributes(t: TestToken, kind: "aes" | "rsa", label: string, id: string, attrs: { encrypt?: boolean; decrypt?: boolean }): void {
  const binding = createRequire(import.meta.url).resolve("pkcs11js");
  const script = `
    const p = require(${JSON.stringify(binding)}); const m = new p.PKCS11();
    const a = JSON.parse(process.argv[1]);
    m.load(a.lib); m.C_Initialize();
    try {
      const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === a.token);
      const s = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
      m.C_Login(s, p.CKU_USER, a.pin);
      const common = [{ type: p.CKA_TOKEN, value: true }, { type: p.CKA_LABEL, value: a.label }, { type: p.CKA_ID, value: Buffer.from(a.id, "hex") }];
      if (a.kind === "aes") {
        m.C_GenerateKey(s, { mechanism: p.CKM_AES_KEY_GEN }, [...common, { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY }, { type: p.CKA_VALUE_LEN, value: 32 },
          { type: p.CKA_ENCRYPT, value: a.encrypt !== false }, { type: p.CKA_DECRYPT, value: a.decrypt !== false }]);
      } else {
        m.C_GenerateKeyPair(s, { mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN },
          [...common, { type: p.CKA_MODULUS_BITS, value: 2048 }, { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }, { type: p.CKA_ENCRYPT, value: a.encrypt !== false }],
          [...common, { type: p.CKA_PRIVATE, value: true }, { type: p.CKA_SENSITIVE, value: true }, { type: p.CKA_DECRYPT, value: a.decrypt !== false }]);
      }
      m.C_Logout(s); m.C_CloseSession(s);
    } finally { m.C_Finalize(); }`;
  const args = JSON.stringify({ lib: t.lib, token: t.label, pin: t.pin, kind, label, id, ...attrs });
  execFileSync(process.execPath, ["-e", script, args], { env: { ...process.env, ...t.env }, timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] });
}
