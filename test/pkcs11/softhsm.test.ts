// The pkcs11 checks against a real PKCS#11 token: SoftHSM2, one fresh token per test (test/support/softhsm.ts),
// through the real runner, the real binding (pkcs11js) and the probe child process.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnyCheck } from "../../src/check.js";
import { codesByCheck, configFromText, findingIn, runSealChecks } from "../support/check-harness.js";
import { aesKey, keyWithAttributes, newToken, rsaKeyPair, tokenSlot, tool, type TestToken } from "../support/softhsm.js";
import requiredKeys from "../../checks/config/required-keys.js";
import config from "../../checks/pkcs11/config.js";
import library from "../../checks/pkcs11/library.js";
import token from "../../checks/pkcs11/token.js";
import login from "../../checks/pkcs11/login.js";
import key from "../../checks/pkcs11/key.js";
import mechanism from "../../checks/pkcs11/mechanism.js";
import roundTrip from "../../checks/pkcs11/round-trip.js";

const ALL: AnyCheck[] = [config, library, token, login, key, mechanism, roundTrip];
const T = 90_000;

function stanza(t: TestToken, extra: Record<string, string> = {}, opts: { pinInFile?: boolean } = {}): string {
  const body: Record<string, string> = { lib: t.lib, token_label: t.label, key_label: "vault-key", ...(opts.pinInFile ? { pin: t.pin } : {}), ...extra };
  return `seal "pkcs11" {\n${Object.entries(body).map(([k, v]) => `  ${k} = "${v}"`).join("\n")}\n}\n`;
}

async function check(t: TestToken, extra: Record<string, string> = {}, opts: { pinInFile?: boolean; pin?: string } = {}) {
  const env = { ...t.env, ...(opts.pinInFile ? {} : { VAULT_HSM_PIN: opts.pin ?? t.pin }) };
  const result = await runSealChecks(configFromText(stanza(t, extra, opts), env), ALL, { env, callTimeoutMs: 5_000 });
  return { result, codes: codesByCheck(result), json: JSON.stringify(result) };
}

const passes = (codes: Record<string, string[]>) => Object.values(codes).every((c) => c.every((x) => x.startsWith("pass:")));

describe("pkcs11 checks against SoftHSM2", () => {
  it("a healthy AES key: every check passes, AES-GCM with a nonce from the token, in a read-only session", async () => {
    const t = newToken();
    aesKey(t, "vault-key", "01");
    const { result, codes, json } = await check(t);
    expect(codes).toEqual({
      "pkcs11.config": ["pass:values"], "pkcs11.library": ["pass:loaded"], "pkcs11.token": ["pass:found"], "pkcs11.login": ["pass:logged-in"],
      "pkcs11.key": ["pass:found"], "pkcs11.mechanism": ["pass:supported"], "pkcs11.round-trip": ["pass:ok"],
    });
    expect(findingIn(result, "pkcs11.login", "logged-in").args).toMatchObject({ session: "read-only", pinFrom: "env VAULT_HSM_PIN" });
    expect(findingIn(result, "pkcs11.round-trip", "ok").details).toMatchObject({ mechanism: "CKM_AES_GCM", iv: "token-rng" });
    expect(findingIn(result, "pkcs11.mechanism", "supported").args).toMatchObject({ mechanism: "CKM_AES_GCM", size: "256-bit size" });
    expect(findingIn(result, "pkcs11.library", "loaded").args).toMatchObject({ manufacturer: "SoftHSM" });
    expect(json).not.toContain('"1234"');
  }, T);

  it("an RSA key pair with OAEP: sha1 works both ways (software and HSM encrypt); SoftHSM 2.6 refuses OAEP with the default sha256", async () => {
    const t = newToken();
    rsaKeyPair(t, "vault-key", "02");
    const sha1 = await check(t, { rsa_oaep_hash: "sha1" });
    expect(passes(sha1.codes)).toBe(true);
    expect(findingIn(sha1.result, "pkcs11.round-trip", "ok").details).toMatchObject({ mechanism: "CKM_RSA_PKCS_OAEP", encrypted_in: "software", rsa_oaep_hash: "sha1" });
    const sha256 = await check(t);
    expect(sha256.codes["pkcs11.key"]).toEqual(["pass:found"]);
    expect(sha256.codes["pkcs11.round-trip"]).toEqual(["fail:oaep-hash-refused"]);
    expect(findingIn(sha256.result, "pkcs11.round-trip", "oaep-hash-refused").args).toMatchObject({ hash: "sha256", error: "CKR_ARGUMENTS_BAD" });
  }, T);

  it("a wrong PIN: one login attempt, CKR_PIN_INCORRECT, and the token's CKF_USER_PIN_COUNT_LOW on the next run", async () => {
    const t = newToken();
    aesKey(t, "vault-key", "01");
    const first = await check(t, {}, { pin: "0000" });
    expect(first.codes["pkcs11.login"]).toEqual(["fail:pin-incorrect"]);
    expect(findingIn(first.result, "pkcs11.login", "pin-incorrect").args!.flags).toContain("CKF_USER_PIN_COUNT_LOW");
    expect(first.codes["pkcs11.key"]).toEqual(["skip:prerequisite-failed"]);
    expect(first.codes["pkcs11.round-trip"]).toEqual(["skip:prerequisite-failed"]);
    expect(first.json).not.toContain("0000");
    const second = await check(t);
    expect(second.codes["pkcs11.login"]).toEqual(["warn:pin-count-low", "pass:logged-in"]);
  }, T);

  it("a missing key: not-found, with the commands to list objects and create the key (the doctor creates nothing)", async () => {
    const t = newToken();
    aesKey(t, "other-key", "09");
    const { result, codes } = await check(t, { generate_key: "true" });
    expect(codes["pkcs11.config"]).toEqual(["pass:values", "warn:generate-key"]);
    expect(codes["pkcs11.key"]).toEqual(["fail:not-found"]);
    const f = findingIn(result, "pkcs11.key", "not-found");
    expect(f.cause).toBe("key_not_found");
    expect(f.fix!.commands[1]).toContain("--keygen --key-type aes:32 --label vault-key");
    // Still not there: nothing was generated.
    const again = await check(t);
    expect(again.codes["pkcs11.key"]).toEqual(["fail:not-found"]);
  }, T);

  it("two keys with one label: Vault cannot choose; key_id picks one", async () => {
    const t = newToken();
    aesKey(t, "vault-key", "01");
    aesKey(t, "vault-key", "02");
    const two = await check(t);
    expect(two.codes["pkcs11.key"]).toEqual(["fail:not-a-pair"]);
    const f = findingIn(two.result, "pkcs11.key", "not-a-pair");
    expect(f.args).toMatchObject({ count: "2", key: 'label "vault-key"' });
    expect(f.fix!.commands.join("\n")).toMatch(/key_id = "0x0[12]"/);
    aesKey(t, "vault-key", "03");
    expect((await check(t)).codes["pkcs11.key"]).toEqual(["fail:ambiguous"]);
    const byId = await check(t, { key_id: "0x02" });
    expect(passes(byId.codes)).toBe(true);
  }, T);

  it("keys Vault cannot use: a data object, a lone private key, a generic secret, a 1024-bit RSA key", async () => {
    const t = newToken();
    writeFileSync(join(t.dir, "data.bin"), "not a key\n");
    tool(t, ["--write-object", join(t.dir, "data.bin"), "--type", "data", "--label", "vault-key"]);
    const data = await check(t);
    expect(data.codes["pkcs11.key"]).toEqual(["fail:wrong-class"]);
    expect(findingIn(data.result, "pkcs11.key", "wrong-class").args!.vaultError).toBe("found a single object of class 0, expected a secret key or private key");
    rsaKeyPair(t, "lonely", "0a");
    tool(t, ["--delete-object", "--type", "pubkey", "--id", "0a"]);
    expect((await check(t, { key_label: "lonely" })).codes["pkcs11.key"]).toEqual(["fail:no-public"]);
    tool(t, ["--keygen", "--key-type", "GENERIC:32", "--label", "generic", "--id", "0b"]);
    expect((await check(t, { key_label: "generic" })).codes["pkcs11.key"]).toEqual(["fail:unsupported-key-type"]);
    rsaKeyPair(t, "short", "0c", 1024);
    const short = await check(t, { key_label: "short", rsa_oaep_hash: "sha1" });
    expect(short.codes["pkcs11.key"]).toEqual(["fail:rsa-too-short"]);
    expect(findingIn(short.result, "pkcs11.key", "rsa-too-short").args).toMatchObject({ bits: 1024 });
    // Encrypting on the HSM (disable_software_encryption) has no such limit.
    expect(passes((await check(t, { key_label: "short", rsa_oaep_hash: "sha1", disable_software_encryption: "true" })).codes)).toBe(true);
  }, T);

  it("key attributes: no CKA_DECRYPT, no CKA_ENCRYPT; an RSA public key that may not encrypt (software path works, the HSM path does not)", async () => {
    const t = newToken();
    keyWithAttributes(t, "aes", "no-decrypt", "21", { decrypt: false });
    keyWithAttributes(t, "aes", "no-encrypt", "22", { encrypt: false });
    keyWithAttributes(t, "rsa", "pub-no-encrypt", "23", { encrypt: false });
    const noDecrypt = await check(t, { key_label: "no-decrypt" });
    expect(noDecrypt.codes["pkcs11.key"]).toEqual(["fail:no-decrypt"]);
    expect(findingIn(noDecrypt.result, "pkcs11.key", "no-decrypt").args!.vaultError).toBe("secret key does not have CKA_DECRYPT");
    expect((await check(t, { key_label: "no-encrypt" })).codes["pkcs11.key"]).toEqual(["fail:no-encrypt"]);
    const rsa = await check(t, { key_label: "pub-no-encrypt", rsa_oaep_hash: "sha1" });
    expect(rsa.codes["pkcs11.key"]).toEqual(["pass:found", "warn:public-no-encrypt"]);
    expect(rsa.codes["pkcs11.round-trip"]).toEqual(["pass:ok", "warn:other-path-failed"]);
    expect(findingIn(rsa.result, "pkcs11.round-trip", "other-path-failed").args).toMatchObject({ path: "HSM", error: "CKR_KEY_FUNCTION_NOT_PERMITTED" });
    const hsmOnly = await check(t, { key_label: "pub-no-encrypt", rsa_oaep_hash: "sha1", disable_software_encryption: "true" });
    expect(hsmOnly.codes["pkcs11.key"]).toEqual(["fail:public-no-encrypt"]);
  }, T);

  it("mechanisms: one the seal does not support, a deprecated one, and one that does not fit the key", async () => {
    const t = newToken();
    aesKey(t, "vault-key", "01");
    expect((await check(t, { mechanism: "0x0002" })).codes["pkcs11.config"]).toEqual(["fail:mechanism-unsupported"]);
    expect((await check(t, { mechanism: "CKM_AES_CBC_PAD" })).codes["pkcs11.config"]).toEqual(["fail:mechanism-deprecated"]);
    const mismatch = await check(t, { mechanism: "CKM_RSA_PKCS_OAEP" });
    expect(mismatch.codes["pkcs11.key"]).toEqual(["fail:mechanism-key-mismatch"]);
    expect(findingIn(mismatch.result, "pkcs11.key", "mechanism-key-mismatch").args).toMatchObject({ needs: "CKK_RSA", keyType: "CKK_AES" });
    expect(passes((await check(t, { mechanism: "0x1087" })).codes)).toBe(true);
  }, T);

  it("the library: missing file, missing dependency, wrong architecture, not a library, not PKCS#11", async () => {
    const t = newToken();
    const missing = await check(t, { lib: join(t.dir, "nope.so") });
    expect(missing.codes["pkcs11.library"]).toEqual(["fail:not-found"]);
    // A PKCS#11-looking library linked against one that is then removed.
    writeFileSync(join(t.dir, "dep.c"), "int vkd_dep(void){return 1;}\n");
    writeFileSync(join(t.dir, "x.c"), "int vkd_dep(void); int C_GetFunctionList(void*p){(void)p; return vkd_dep();}\n");
    execFileSync("cc", ["-shared", "-fPIC", "-o", join(t.dir, "libvkddep.so"), join(t.dir, "dep.c")], { timeout: 60_000 });
    execFileSync("cc", ["-shared", "-fPIC", "-o", join(t.dir, "libx.so"), join(t.dir, "x.c"), `-L${t.dir}`, "-lvkddep"], { timeout: 60_000 });
    execFileSync("rm", [join(t.dir, "libvkddep.so")]);
    const dep = await check(t, { lib: join(t.dir, "libx.so") });
    expect(dep.codes["pkcs11.library"]).toEqual(["fail:missing-dependency"]);
    expect(findingIn(dep.result, "pkcs11.library", "missing-dependency").args!.dependencies).toEqual(["libvkddep.so"]);
    // The same library marked 32-bit (ELF header EI_CLASS = ELFCLASS32).
    const elf32 = join(t.dir, "lib32.so");
    copyFileSync(join(t.dir, "libx.so"), elf32);
    const bytes = readFileSync(elf32);
    bytes[4] = 1;
    writeFileSync(elf32, bytes);
    const arch = await check(t, { lib: elf32 });
    expect(arch.codes["pkcs11.library"]).toEqual(["fail:wrong-architecture"]);
    expect(findingIn(arch.result, "pkcs11.library", "wrong-architecture").args).toMatchObject({ detail: "ELFCLASS32" });
    writeFileSync(join(t.dir, "text.so"), "not a library\n".repeat(200));
    expect((await check(t, { lib: join(t.dir, "text.so") })).codes["pkcs11.library"]).toEqual(["fail:not-a-library"]);
    const libz = execFileSync("sh", ["-c", "ls /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/*/libz.so.1 2>/dev/null | head -n1"], { encoding: "utf8" }).trim();
    if (libz) expect((await check(t, { lib: libz })).codes["pkcs11.library"]).toEqual(["fail:not-pkcs11"]);
    expect(missing.codes["pkcs11.token"]).toEqual(["skip:prerequisite-failed"]);
  }, T);

  it("the token: a label that is not there lists the tokens present; a slot that does not exist lists the slots; the right slot works", async () => {
    const t = newToken("vault-hsm");
    aesKey(t, "vault-key", "01");
    const wrong = await check(t, { token_label: "vault-hsm-2" });
    expect(wrong.codes["pkcs11.token"]).toEqual(["fail:token-not-found"]);
    const f = findingIn(wrong.result, "pkcs11.token", "token-not-found");
    expect(f.args!.available).toContain(`"vault-hsm" (slot ${tokenSlot(t)})`);
    expect(f.fix!.commands[0]).toMatch(/\ntoken_label = "vault-hsm"$/);
    const noSlot = await check(t, { slot: "424242" });
    expect(noSlot.codes["pkcs11.config"]).toEqual(["pass:values", "warn:slot-and-label"]);
    expect(noSlot.codes["pkcs11.token"]).toEqual(["fail:slot-not-found"]);
    const bySlot = await check(t, { slot: tokenSlot(t) });
    expect(bySlot.codes["pkcs11.token"]).toEqual(["pass:found"]);
    expect(bySlot.codes["pkcs11.round-trip"]).toEqual(["pass:ok"]);
  }, T);

  it("the PIN in the file: a warning that names where, and the PIN is never printed", async () => {
    const t = newToken("vault-hsm", "s3cret-PIN-77");
    aesKey(t, "vault-key", "01");
    const { codes, json, result } = await check(t, {}, { pinInFile: true });
    expect(codes["pkcs11.config"]).toEqual(["pass:values", "warn:pin-in-file"]);
    expect(findingIn(result, "pkcs11.config", "pin-in-file").args!.where).toMatch(/vault\.hcl:\d+$/);
    expect(codes["pkcs11.round-trip"]).toEqual(["pass:ok"]);
    expect(json).not.toContain("s3cret-PIN-77");
  }, T);

  it("required settings: Vault's (OpenBao's) words for each one missing, the PIN by config.required-keys", async () => {
    const result = await runSealChecks(configFromText('seal "pkcs11" {\n  mechanism = "CKM_AES_GCM"\n}\n', {}), [requiredKeys, config], { env: {} });
    const byId = (id: string) => result.checks.find((c) => c.id === id)!.findings.map((x) => [x.code, x.args!.vaultError]);
    expect(byId("config.required-keys")).toEqual([["missing", "pin is required"]]);
    expect(byId("pkcs11.config")).toEqual([["missing", "lib is required"], ["missing", "slot or token label required"], ["missing", "key id or key label required"]]);
    const onlyPin = await runSealChecks(configFromText('seal "pkcs11" {\n  lib = "/x.so"\n  token_label = "t"\n  key_label = "k"\n}\n', {}), [config], { env: {} });
    expect(codesByCheck(onlyPin)["pkcs11.config"]).toEqual(["skip:no-pin"]);
  });
});
