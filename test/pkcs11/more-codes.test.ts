// The pkcs11 finding codes faults.test.ts does not reach, each staged by the stand-in module (fault-module.c,
// built here with the system compiler) where SoftHSM2 cannot produce the situation: a library whose
// C_GetFunctionList fails, a token that loses its user PIN between the two probes, a key search, a mechanism
// list and a public-key export that fail, a key pair of two key types, and a key the round trip cannot use.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { codesByCheck, configFromText, findingIn, runSealChecks } from "../support/check-harness.js";
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
  dir = mkdtempSync(join(tmpdir(), "vkd-fault-more-"));
  faultLib = join(dir, "libvkdfault.so");
  execFileSync("cc", ["-shared", "-fPIC", "-o", faultLib, fileURLToPath(new URL("./fault-module.c", import.meta.url))], { timeout: 60_000 });
});

async function run(env: NodeJS.ProcessEnv, extra = "") {
  const body = `  lib = "${faultLib}"\n  token_label = "fault-token"\n  key_label = "k"${extra}`;
  const result = await runSealChecks(configFromText(`seal "pkcs11" {\n${body}\n}\n`, env), ALL, { env, callTimeoutMs: 5_000 });
  return { result, codes: codesByCheck(result) };
}

// The stand-in logs in and holds one AES key (VKD_FAULT_LOGIN_RV=0).
const ok = { VAULT_HSM_PIN: "1234", VKD_FAULT_LOGIN_RV: "0" };

describe("pkcs11 library", () => {
  it("C_GetFunctionList fails: load-failed with the binding's error", async () => {
    const { codes, result } = await run({ ...ok, VKD_FAULT: "no-function-list" });
    expect(codes["pkcs11.library"]).toEqual(["fail:load-failed"]);
    const f = findingIn(result, "pkcs11.library", "load-failed");
    expect(f.args).toMatchObject({ lib: faultLib, error: "CKR_GENERAL_ERROR:5" });
    expect(f.cause).toBe("seal_config_error");
  }, T);
});

describe("pkcs11 login", () => {
  it("the token loses its user PIN between the library probe and the session probe: pin-not-initialized, not tried", async () => {
    // First process (library probe): TOKEN_INITIALIZED | USER_PIN_INITIALIZED | LOGIN_REQUIRED; later: no USER_PIN_INITIALIZED.
    const { codes, result } = await run({ ...ok, VKD_FAULT_MARK: join(dir, "mark-pin"), VKD_FAULT_FLAGS_LATER: "0x404", VKD_FAULT_LOGINS: join(dir, "logins-pin") });
    expect(codes["pkcs11.token"]).toEqual(["pass:found"]);
    expect(codes["pkcs11.login"]).toEqual(["fail:pin-not-initialized"]);
    const f = findingIn(result, "pkcs11.login", "pin-not-initialized");
    expect(f.args).toMatchObject({ label: "fault-token" });
    expect(f.cause).toBe("seal_config_error");
    expect(existsSync(join(dir, "logins-pin"))).toBe(false);
  }, T);
});

describe("pkcs11 key", () => {
  it("C_FindObjectsInit fails: search-failed (error)", async () => {
    const { codes, result } = await run({ ...ok, VKD_FAULT: "no-find" });
    expect(codes["pkcs11.login"]).toEqual(["pass:logged-in"]);
    expect(codes["pkcs11.key"]).toEqual(["error:search-failed"]);
    expect(findingIn(result, "pkcs11.key", "search-failed").args).toMatchObject({ error: "CKR_DEVICE_ERROR" });
  }, T);

  it("an RSA private key and an EC public key under one label: type-mismatch", async () => {
    const { codes, result } = await run({ ...ok, VKD_FAULT: "pair-mismatch" });
    expect(codes["pkcs11.key"]).toEqual(["fail:type-mismatch"]);
    const f = findingIn(result, "pkcs11.key", "type-mismatch");
    expect(f.args).toMatchObject({ key: 'label "k"', vaultError: "private key type does not match public key type (0 vs 3)" });
    expect(f.cause).toBe("seal_config_error");
  }, T);
});

describe("pkcs11 mechanism", () => {
  it("C_GetMechanismList fails: list-failed (error)", async () => {
    const { codes, result } = await run({ ...ok, VKD_FAULT: "no-mechs" });
    expect(codes["pkcs11.key"]).toEqual(["pass:found"]);
    expect(codes["pkcs11.mechanism"]).toEqual(["error:list-failed"]);
    expect(findingIn(result, "pkcs11.mechanism", "list-failed").args).toMatchObject({ error: "CKR_DEVICE_ERROR" });
  }, T);
});

describe("pkcs11 round trip", () => {
  it("the RSA public key's modulus cannot be read: export-failed (software encryption, OpenBao's default)", async () => {
    const { codes, result } = await run({ ...ok, VKD_FAULT: "rsa-pair", VKD_FAULT_MECHS: "0x9", VKD_FAULT_MECHINFO: "1024,4096,0x300" });
    expect(codes["pkcs11.key"]).toEqual(["pass:found"]);
    expect(codes["pkcs11.round-trip"]).toEqual(["fail:export-failed"]);
    const f = findingIn(result, "pkcs11.round-trip", "export-failed");
    expect(f.args).toMatchObject({ mechanism: "CKM_RSA_PKCS_OAEP", fn: "C_GetAttributeValue", error: "CKR_ATTRIBUTE_TYPE_INVALID" });
    expect(f.cause).toBe("kms_internal_error");
  }, T);

  it("a secret key of type RSA: the key check passes but RSA-OAEP needs a pair: not-attempted (error, never pass)", async () => {
    const { codes, result } = await run({ ...ok, VKD_FAULT: "rsa-secret", VKD_FAULT_MECHS: "0x9" });
    expect(codes["pkcs11.key"]).toEqual(["pass:found"]);
    expect(codes["pkcs11.round-trip"]).toEqual(["error:not-attempted"]);
    expect(findingIn(result, "pkcs11.round-trip", "not-attempted").args).toMatchObject({ why: "an RSA-OAEP seal needs a private + public key pair" });
  }, T);
});
