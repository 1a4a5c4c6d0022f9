// An HSM over PKCS#11 (`seal "pkcs11"`, Vault Enterprise and OpenBao's HSM builds).
// Sources:
// - Vault Enterprise (closed source): its documentation, hashicorp/vault website/content/docs/configuration/seal/pkcs11.mdx
//   (settings, VAULT_HSM_* variables, generate_key, force_rw_session, rsa_encrypt_local, hmac_*).
// - OpenBao (open source): github:openbao/go-kms-wrapping wrappers/pkcs11/options.go and pkcs11_client.go at tag
//   wrappers/pkcs11/v2.6.0 (the version OpenBao v2.6.2's go.mod pins; built only with `-tags hsm`,
//   openbao helper/kmsplugin/pkcs11.go). OpenBao also reads `module` (= lib), `token` (= token_label) and `label`
//   (= key_label), and each setting from BAO_HSM_<NAME>, else VAULT_HSM_<NAME> (api/env.go ReadBaoVariable); the
//   environment beats the file (newPkcs11Client). Its words for a missing setting are "lib is required",
//   "pin is required", "slot or token label required" and "key id or key label required"; Vault Enterprise's
//   own words are not public, so these are the ones quoted.
// - `regenerate_key` and `max_parallel` are in neither and are not listed: Vault ignores them.
import { defineSeal } from "./types.js";

/** [variable, setting] pairs, BAO_HSM_* first: OpenBao reads BAO_HSM_X, else VAULT_HSM_X; Vault reads VAULT_HSM_X. */
function hsmVars(pairs: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  return pairs.flatMap(([suffix, setting]) => [[`BAO_HSM_${suffix}`, setting] as const, [`VAULT_HSM_${suffix}`, setting] as const]);
}

export default defineSeal({
  type: "pkcs11",
  title: "PKCS#11 HSM",
  settings: [
    // Required, but OpenBao also takes `module`: pkcs11.config checks lib/module (and the either-or pairs slot/token_label,
    // key_label/key_id) itself; the PIN has one name, so config.required-keys reports it.
    { name: "lib" },
    { name: "module" },
    { name: "slot", identifiesKey: true },
    { name: "token_label", identifiesKey: true },
    { name: "token", identifiesKey: true },
    // wrapping.ParsePaths(&opts.withPin): env://, file:// and string:// work for the PIN.
    { name: "pin", secret: true, indirect: true, requiredText: "pin is required" },
    { name: "key_label", identifiesKey: true },
    { name: "label", identifiesKey: true },
    { name: "default_key_label" },
    { name: "key_id", identifiesKey: true },
    { name: "hmac_key_label" },
    { name: "default_hmac_key_label" },
    { name: "hmac_key_id" },
    { name: "mechanism" },
    { name: "hmac_mechanism" },
    { name: "rsa_encrypt_local", kind: "bool" },
    { name: "rsa_oaep_hash" },
    { name: "generate_key", kind: "bool" },
    { name: "disable_software_encryption", kind: "bool" },
    { name: "force_rw_session", kind: "bool" },
  ],
  aliases: { library: "lib", lib_path: "lib", user_pin: "pin", key_name: "key_label", token_name: "token_label", slot_id: "slot" },
  env: {
    vars: [
      ...hsmVars([
        ["LIB", "lib"],
        ["SLOT", "slot"],
        ["TOKEN_LABEL", "token_label"],
        ["PIN", "pin"],
        ["KEY_LABEL", "key_label"],
        ["KEY_ID", "key_id"],
        ["MECHANISM", "mechanism"],
        ["RSA_OAEP_HASH", "rsa_oaep_hash"],
        ["DISABLE_SOFTWARE_ENCRYPTION", "disable_software_encryption"],
      ]),
      // Vault Enterprise only (its documentation's variable list).
      ["VAULT_HSM_DEFAULT_KEY_LABEL", "default_key_label"],
      ["VAULT_HSM_HMAC_KEY_LABEL", "hmac_key_label"],
      ["VAULT_HSM_HMAC_DEFAULT_KEY_LABEL", "default_hmac_key_label"],
      ["VAULT_HSM_HMAC_KEY_ID", "hmac_key_id"],
      ["VAULT_HSM_HMAC_MECHANISM", "hmac_mechanism"],
      ["VAULT_HSM_GENERATE_KEY", "generate_key"],
      ["VAULT_HSM_RSA_ENCRYPT_LOCAL", "rsa_encrypt_local"],
      ["VAULT_HSM_FORCE_RW_SESSION", "force_rw_session"],
    ],
    ordered: ["lib", "slot", "token_label", "pin", "key_label", "key_id", "mechanism", "rsa_oaep_hash", "disable_software_encryption"],
  },
  secretEnvVars: ["VAULT_HSM_PIN", "BAO_HSM_PIN"],
  flags: [],
  providerHint: /CKR_[A-Z_]{3,40}|pkcs11|PKCS#11|softhsm|\bHSM\b/i,
  checks: [
    "pkcs11.config",
    "pkcs11.library",
    "pkcs11.token",
    "pkcs11.login",
    "pkcs11.key",
    "pkcs11.mechanism",
    "pkcs11.round-trip",
  ],
});
