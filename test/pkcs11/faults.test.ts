// What SoftHSM2 alone cannot show: settings Vault refuses, a library that hangs or crashes in C_Initialize, a
// token whose PIN is locked or one try from locking (the doctor must not try), other C_Login and
// C_OpenSession errors. A small PKCS#11 module (fault-module.c, built here with the system compiler — the
// same one node-gyp needs for the binding) stands in for a vendor library; SoftHSM2 for the rest.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { codesByCheck, configFromText, findingIn, runSealChecks } from "../support/check-harness.js";
import { newToken, softhsmLib } from "../support/softhsm.js";
import config from "../../checks/pkcs11/config.js";
import library from "../../checks/pkcs11/library.js";
import token from "../../checks/pkcs11/token.js";
import login from "../../checks/pkcs11/login.js";
import key from "../../checks/pkcs11/key.js";
import mechanism from "../../checks/pkcs11/mechanism.js";
import roundTrip from "../../checks/pkcs11/round-trip.js";

const ALL: AnyCheck[] = [config, library, token, login, key, mechanism, roundTrip];
const T = 60_000;
let faultLib = "";
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vkd-fault-"));
  faultLib = join(dir, "libvkdfault.so");
  execFileSync("cc", ["-shared", "-fPIC", "-o", faultLib, fileURLToPath(new URL("./fault-module.c", import.meta.url))], { timeout: 60_000 });
});

async function run(body: string, env: NodeJS.ProcessEnv, callTimeoutMs = 2_000) {
  const result = await runSealChecks(configFromText(`seal "pkcs11" {\n${body}\n}\n`, env), ALL, { env, callTimeoutMs });
  return { result, codes: codesByCheck(result) };
}

const faultStanza = () => `  lib = "${faultLib}"\n  token_label = "fault-token"\n  key_label = "k"`;

describe("pkcs11 settings Vault refuses", () => {
  it("an unreadable PIN, a slot that is no number, a key_id that is no hex, an unknown OAEP hash, a bad boolean", async () => {
    const { codes, result } = await run(`  lib = "/x.so"\n  slot = "two"\n  pin = "env://VKD_NO_SUCH_PIN_VAR"\n  key_id = "zz"\n  rsa_oaep_hash = "md5"\n  disable_software_encryption = "yes"`, {});
    expect(codes["pkcs11.config"]).toEqual(["fail:invalid-slot", "fail:pin-unresolved", "fail:key-id-not-hex", "fail:oaep-hash-unsupported", "fail:bad-bool"]);
    expect(findingIn(result, "pkcs11.config", "bad-bool").args).toMatchObject({ key: "disable_software_encryption", value: "yes" });
    expect(codes["pkcs11.library"]).toEqual(["skip:prerequisite-failed"]);
  });

  it("a slot above 32 bits: Vault Enterprise takes it, OpenBao does not", async () => {
    const { codes } = await run(`  lib = "/x.so"\n  slot = "2305843009213693953"\n  key_label = "k"`, { VAULT_HSM_PIN: "1234" });
    expect(codes["pkcs11.config"]).toEqual(["pass:values", "warn:slot-over-32-bits"]);
  });

  it("OpenBao's BAO_HSM_* variables win over VAULT_HSM_* and the file; module/token/label are read as lib/token_label/key_label", async () => {
    const { result } = await run(`  module = "/from-file.so"\n  token = "t1"\n  label = "k1"`, { BAO_HSM_PIN: "1111", VAULT_HSM_PIN: "2222", BAO_HSM_TOKEN_LABEL: "t-bao" });
    const f = findingIn(result, "pkcs11.config", "values");
    expect(f.args).toMatchObject({ lib: "/from-file.so", token: 'label "t-bao"', key: 'label "k1"', pinFrom: "env BAO_HSM_PIN" });
    expect(JSON.stringify(result)).not.toMatch(/1111|2222/);
  });
});

describe("pkcs11 library faults", () => {
  it("SoftHSM without its configuration: C_Initialize fails (initialize-failed) with the SOFTHSM2_CONF fix", async () => {
    const { codes, result } = await run(`  lib = "${softhsmLib()}"\n  token_label = "x"\n  key_label = "k"`, { VAULT_HSM_PIN: "1234", SOFTHSM2_CONF: join(dir, "missing.conf") });
    expect(codes["pkcs11.library"]).toEqual(["fail:initialize-failed"]);
    expect(findingIn(result, "pkcs11.library", "initialize-failed").args).toMatchObject({ error: "CKR_GENERAL_ERROR" });
  }, T);

  it("lib is a directory", async () => {
    expect((await run(`  lib = "${dir}"\n  token_label = "x"\n  key_label = "k"`, { VAULT_HSM_PIN: "1234" })).codes["pkcs11.library"]).toEqual(["fail:not-a-file"]);
  });

  it("a C_Initialize that never returns: the probe is killed at its deadline (error, not pass)", async () => {
    const started = Date.now();
    const { codes } = await run(faultStanza(), { VAULT_HSM_PIN: "1234", VKD_FAULT: "hang" }, 300);
    expect(codes["pkcs11.library"]).toEqual(["error:timeout"]);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, T);

  it("a library that crashes the process in C_Initialize: crashed (error)", async () => {
    expect((await run(faultStanza(), { VAULT_HSM_PIN: "1234", VKD_FAULT: "crash" })).codes["pkcs11.library"]).toEqual(["error:crashed"]);
  }, T);

  it("C_GetInfo fails: info-failed with the CKR code", async () => {
    const { codes, result } = await run(faultStanza(), { VAULT_HSM_PIN: "1234", VKD_FAULT: "no-info" });
    expect(codes["pkcs11.library"]).toEqual(["fail:info-failed"]);
    expect(findingIn(result, "pkcs11.library", "info-failed").args).toMatchObject({ fn: "C_GetInfo", error: "CKR_DEVICE_ERROR" });
  }, T);
});

describe("pkcs11 slots without a usable token", () => {
  it("no slot at all; a slot with no token in it", async () => {
    expect((await run(faultStanza(), { VAULT_HSM_PIN: "1234", VKD_FAULT: "no-slots" })).codes["pkcs11.token"]).toEqual(["fail:no-tokens"]);
    const empty = await run(`  lib = "${faultLib}"\n  slot = "7"\n  key_label = "k"`, { VAULT_HSM_PIN: "1234", VKD_FAULT: "empty-slot" });
    expect(empty.codes["pkcs11.token"]).toEqual(["fail:token-not-present"]);
  }, T);
});

describe("pkcs11 login: one attempt at most, none near the lockout", () => {
  for (const [name, flags, code] of [["locked", "0x4040c", "pin-locked"], ["final try", "0x2040c", "final-try"]] as const) {
    it(`${name}: ${code}, and C_Login is never called`, async () => {
      const logins = join(dir, `logins-${code}`);
      const { codes, result } = await run(faultStanza(), { VAULT_HSM_PIN: "1234", VKD_FAULT_FLAGS: flags, VKD_FAULT_LOGINS: logins });
      expect(codes["pkcs11.login"]).toEqual([`fail:${code}`]);
      expect(existsSync(logins)).toBe(false);
      expect(findingIn(result, "pkcs11.login", code).fix!.commands.join("\n")).toContain("--init-pin");
    }, T);
  }

  it("count low: a warning, then exactly one C_Login; the same PIN is not tried again in this process (the gate's retries)", async () => {
    const logins = join(dir, "logins-count-low");
    const env = { VAULT_HSM_PIN: "count-low-pin", VKD_FAULT_FLAGS: "0x1040c", VKD_FAULT_LOGINS: logins };
    const { codes } = await run(faultStanza(), env);
    expect(codes["pkcs11.login"]).toEqual(["warn:pin-count-low", "fail:pin-incorrect"]);
    expect(readFileSync(logins, "utf8")).toBe("login\n");
    const again = await run(faultStanza(), env);
    expect(again.codes["pkcs11.login"]).toEqual(["warn:pin-count-low", "fail:refused-before"]);
    expect(readFileSync(logins, "utf8")).toBe("login\n");
  }, T);

  it("other C_Login answers: CKR_PIN_LOCKED and CKR_PIN_EXPIRED; C_OpenSession failing", async () => {
    expect((await run(faultStanza(), { VAULT_HSM_PIN: "pin-locked-rv", VKD_FAULT_LOGIN_RV: "0xa4" })).codes["pkcs11.login"]).toEqual(["fail:pin-locked"]);
    const expired = await run(faultStanza(), { VAULT_HSM_PIN: "pin-expired-rv", VKD_FAULT_LOGIN_RV: "0xa3" });
    expect(expired.codes["pkcs11.login"]).toEqual(["fail:login-failed"]);
    expect(findingIn(expired.result, "pkcs11.login", "login-failed").args).toMatchObject({ error: "CKR_PIN_EXPIRED" });
    const noSession = await run(faultStanza(), { VAULT_HSM_PIN: "no-session-pin", VKD_FAULT: "no-session" });
    expect(noSession.codes["pkcs11.login"]).toEqual(["fail:session-failed"]);
    expect(findingIn(noSession.result, "pkcs11.login", "session-failed").args).toMatchObject({ error: "CKR_TOKEN_NOT_PRESENT" });
  }, T);
});

describe("pkcs11 mechanisms and round trips a token can refuse (stand-in module with one AES key)", () => {
  const ok = { VAULT_HSM_PIN: "1234", VKD_FAULT_LOGIN_RV: "0" };
  it("the stand-in passes as it is", async () => {
    const { codes } = await run(faultStanza(), ok);
    expect(codes["pkcs11.key"]).toEqual(["pass:found"]);
    expect(codes["pkcs11.round-trip"]).toEqual(["pass:ok"]);
  }, T);

  it("CKM_AES_GCM not listed; listed without decrypt; a key size out of range", async () => {
    const notListed = await run(faultStanza(), { ...ok, VKD_FAULT_MECHS: "0x1082,0x1085" });
    expect(notListed.codes["pkcs11.mechanism"]).toEqual(["fail:not-listed"]);
    expect(findingIn(notListed.result, "pkcs11.mechanism", "not-listed").details!.mechanisms).toEqual(["CKM_AES_CBC", "CKM_AES_CBC_PAD"]);
    const encryptOnly = await run(faultStanza(), { ...ok, VKD_FAULT_MECHINFO: "16,32,0x100" });
    expect(encryptOnly.codes["pkcs11.mechanism"]).toEqual(["fail:no-encrypt-decrypt"]);
    expect(findingIn(encryptOnly.result, "pkcs11.mechanism", "no-encrypt-decrypt").args).toMatchObject({ missing: "decrypt" });
    const size = await run(faultStanza(), { ...ok, VKD_FAULT_MECHINFO: "16,16,0x300" });
    expect(size.codes["pkcs11.mechanism"]).toEqual(["fail:key-size"]);
    expect(findingIn(size.result, "pkcs11.mechanism", "key-size").args).toMatchObject({ size: "256-bit size", max: "16 bytes" });
  }, T);

  it("no random number generator (the GCM nonce); decrypt refused", async () => {
    const noRng = await run(faultStanza(), { ...ok, VKD_FAULT: "no-random" });
    expect(noRng.codes["pkcs11.round-trip"]).toEqual(["fail:random-failed"]);
    expect(findingIn(noRng.result, "pkcs11.round-trip", "random-failed").args).toMatchObject({ error: "CKR_RANDOM_NO_RNG" });
    const bad = await run(faultStanza(), { ...ok, VKD_FAULT: "bad-decrypt" });
    expect(bad.codes["pkcs11.round-trip"]).toEqual(["fail:decrypt-failed"]);
    expect(findingIn(bad.result, "pkcs11.round-trip", "decrypt-failed").cause).toBe("unseal_decrypt_failed");
  }, T);
});

describe("pkcs11 tokens that are not ready (SoftHSM2)", () => {
  it("the free slot's token is not initialised; a token without a user PIN", async () => {
    const t = newToken();
    const slots = execFileSync(join(fileURLToPath(new URL("../../.peers/bin/", import.meta.url)), "softhsm2-util"), ["--show-slots"], { env: { ...process.env, ...t.env }, encoding: "utf8", timeout: 30_000 });
    const free = /Slot (\d+)\n(?:(?!Slot \d)[\s\S])*?Initialized:\s+no/.exec(slots)![1]!;
    const env = { ...t.env, VAULT_HSM_PIN: "1234" };
    const { codes } = await run(`  lib = "${t.lib}"\n  slot = "${free}"\n  key_label = "k"`, env);
    expect(codes["pkcs11.token"]).toEqual(["fail:token-not-initialized"]);
    // The security officer initialises the token but sets no user PIN.
    execFileSync(join(fileURLToPath(new URL("../../.peers/bin/", import.meta.url)), "pkcs11-tool"), ["--module", t.lib, "--slot", free, "--init-token", "--label", "no-user-pin", "--so-pin", "5678"], { env: { ...process.env, ...t.env }, timeout: 30_000, stdio: "ignore" });
    const noPin = await run(`  lib = "${t.lib}"\n  token_label = "no-user-pin"\n  key_label = "k"`, env);
    expect(noPin.codes["pkcs11.token"]).toEqual(["fail:user-pin-not-initialized"]);
  }, T);
});
