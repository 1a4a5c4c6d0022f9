// The verdict: encrypt and decrypt 32 random bytes the way the seal does (github:openbao/go-kms-wrapping
// wrappers/pkcs11/pkcs11_client.go at wrappers/pkcs11/v2.6.0), done by the probe in the login check's session:
// - AES: CKM_AES_GCM, a 12-byte nonce from C_GenerateRandom on the token, no AAD, 128-bit tag (EncryptAesGcm;
//   GCM parameters as github:miekg/pkcs11 NewGCMParams builds them, ulIvBits = 96); when the HSM returns 12 more
//   bytes it chose its own nonce and appended it (CloudHSM), which OpenBao takes from the end.
// - RSA: CKM_RSA_PKCS_OAEP with rsa_oaep_hash (default sha256) for both the hash and MGF1, no label
//   (CKZ_DATA_SPECIFIED, empty). OpenBao (v2.4+) encrypts in software with the exported public key unless
//   disable_software_encryption; Vault Enterprise encrypts on the HSM unless rsa_encrypt_local. Both paths are
//   tried; the decrypt is always on the HSM with the private key.
// The probe bytes never leave the probe process. Nothing is created or stored on the token.
import { defineCheck, type Finding } from "../../src/check.js";
import { mechanismName } from "../../src/pkcs11/constants.js";

export default defineCheck({
  id: "pkcs11.round-trip",
  title: "Round trip as Vault does it",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  needs: ["pkcs11.config", "pkcs11.login", "pkcs11.key"],
  messages: {
    "ok": "{mechanism} encrypt ({where}) and decrypt on the HSM of 32 random bytes work, as Vault does them ({ms} ms).",
    "other-path-failed": "Encrypting on the {path} fails ({error}): Vault Enterprise encrypts RSA on the HSM unless rsa_encrypt_local = \"true\"; OpenBao before v2.4 always did.",
    "encrypt-failed": "{mechanism} encrypt failed in {fn}: {error}. Vault cannot initialise or re-encrypt its root key.",
    "decrypt-failed": "{mechanism} decrypt failed in {fn}: {error}. Vault cannot unseal.",
    "oaep-hash-refused": "The token refuses CKM_RSA_PKCS_OAEP with {hash} ({error} in {fn}). Some tokens (SoftHSM 2.6) take only sha1 for OAEP.",
    "random-failed": "C_GenerateRandom failed ({error}): Vault makes the GCM nonce with it.",
    "export-failed": "Reading the public key's modulus and exponent failed ({error}): OpenBao encrypts RSA in software with them.",
    "mismatch": "Decrypt returned different bytes than were encrypted.",
    "not-attempted": "No round trip: {why}.",
  },
  async run(ctx) {
    const cfg = ctx.need("pkcs11.config");
    const { session } = ctx.need("pkcs11.login");
    ctx.need("pkcs11.key");
    const rt = session.roundTrip;
    // The key check passed, so the probe had a key: no round trip is "could not check", never a pass.
    if (!rt || !rt.attempted) return { findings: [ctx.report("error", "not-attempted", { why: rt?.why ?? "the probe did not try" })] };
    const mechanism = mechanismName(rt.mechanism ?? 0);
    const error = rt.error?.ckr ?? rt.error?.message ?? "";
    const fn = rt.error?.fn ?? "";
    if (!rt.ok) {
      const oaepRefused = rt.mechanism === 0x9 && cfg.oaepHash !== "sha1" && /CKR_ARGUMENTS_BAD|CKR_MECHANISM_PARAM_INVALID/.test(error);
      if (oaepRefused) {
        return { findings: [ctx.report("fail", "oaep-hash-refused", { hash: cfg.oaepHash, error, fn }, {
          cause: "key_wrong_usage_or_spec",
          fix: { summary: "Use a hash the token supports for OAEP. Changing rsa_oaep_hash on a seal that already encrypted data makes that data undecryptable: only for a new seal.", commands: ["# in the seal stanza (new seals only):\nrsa_oaep_hash = \"sha1\""] },
        })] };
      }
      const code = rt.step === "random" ? "random-failed" : rt.step === "export-public" ? "export-failed" : rt.step === "compare" ? "mismatch" : rt.step === "encrypt" ? "encrypt-failed" : "decrypt-failed";
      return { findings: [ctx.report("fail", code, { mechanism, error, fn }, { cause: code === "decrypt-failed" || code === "mismatch" ? "unseal_decrypt_failed" : "kms_internal_error" })] };
    }
    const where = rt.encryptedIn === "software" ? "in software with the exported public key" : rt.encryptedIn === "hsm" ? "on the HSM" : rt.iv === "hsm-appended" ? "nonce chosen by the HSM" : "nonce from C_GenerateRandom";
    const findings: Finding[] = [ctx.report("pass", "ok", { mechanism, where, ms: rt.ms ?? 0 }, { details: { mechanism, iv: rt.iv ?? null, encrypted_in: rt.encryptedIn ?? "hsm", rsa_oaep_hash: rt.mechanism === 0x9 ? cfg.oaepHash : null } })];
    if (rt.otherPath && !rt.otherPath.ok) {
      findings.push(ctx.report("warn", "other-path-failed", { path: rt.otherPath.encryptedIn === "hsm" ? "HSM" : "software path", error: rt.otherPath.error?.ckr ?? rt.otherPath.error?.message ?? "different bytes" }));
    }
    return { findings, facts: { result: rt } };
  },
});
