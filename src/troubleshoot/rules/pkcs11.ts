// pkcs11 seal: the words OpenBao's wrapper wraps around PKCS#11 return values (github:openbao/go-kms-wrapping
// wrappers/pkcs11/pkcs11_client.go at wrappers/pkcs11/v2.6.0: "failed to login: ", "failed to open session: ",
// "failed to pkcs11 EncryptInit: ", "no key found", ...), the return values as github:miekg/pkcs11 prints them
// ("pkcs11: 0xA0: CKR_PIN_INCORRECT", error.go Error()), and what the dynamic loader says about the library.
// A lib that cannot be loaded makes miekg/pkcs11 New() return nil, and OpenBao's InitializeClient then calls
// Initialize on it: a nil pointer dereference panic in pkcs11.(*Ctx).Initialize. Fixes use pkcs11-tool
// (OpenSC) and softhsm2-util with the values found in the text, shell-quoted.
import { defineRules, valueOr, type Entities } from "../rule.js";

const SOURCE = "https://github.com/openbao/go-kms-wrapping/blob/main/wrappers/pkcs11/pkcs11_client.go";
const MIEKG = "https://github.com/miekg/pkcs11/blob/master/error.go";

function entities(text: string): Entities {
  const out: Entities = {};
  const label = /failed to find token with label: ([^\n"]{1,64})/.exec(text)?.[1]?.trim();
  if (label) out.tokenLabel = label;
  const lib = /(\/[A-Za-z0-9._/+-]{1,250}\.so(?:\.\d{1,4}){0,3})\b/.exec(text)?.[1];
  if (lib) out.lib = lib;
  const ckr = /\b(CKR_[A-Z0-9_]{3,40})\b/.exec(text)?.[1];
  if (ckr) out.ckr = ckr;
  return out;
}

// valueOr shell-quotes a value found in the text; a placeholder becomes a named shell variable (src/troubleshoot/match.ts).
const lib = (e: Entities) => valueOr(e, "lib", "<PKCS11_LIB>");
const token = (e: Entities) => valueOr(e, "tokenLabel", "<TOKEN_LABEL>");

export const pkcs11Rules = defineRules([
  {
    id: "pkcs11.pin_incorrect",
    cause: "invalid_credentials",
    providers: ["pkcs11"],
    title: "The HSM rejected the PIN",
    explanation: "C_Login returned CKR_PIN_INCORRECT: the pin setting (or VAULT_HSM_PIN / BAO_HSM_PIN) is not the token's user PIN. Every wrong attempt counts towards the token's lockout: fix the value before restarting Vault in a loop.",
    patterns: [/CKR_PIN_INCORRECT/],
    score: 92,
    entities,
    fix: (e) => ({
      summary: "Check the PIN with one manual login, then set it in Vault's environment (VAULT_HSM_PIN; BAO_HSM_PIN for OpenBao), not in the file. Check the token flags for CKF_USER_PIN_FINAL_TRY first: then one more wrong PIN locks it.",
      commands: [`pkcs11-tool --module ${lib(e)} --list-token-slots`, `pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --list-objects   # asks for the PIN once`],
    }),
    distinguishing: "CKR_PIN_LOCKED means the PIN is blocked whatever its value; CKR_PIN_INCORRECT only that this value is wrong.",
    sources: [SOURCE, MIEKG],
  },
  {
    id: "pkcs11.pin_locked",
    cause: "invalid_credentials",
    providers: ["pkcs11"],
    title: "The user PIN is locked",
    explanation: "C_Login returned CKR_PIN_LOCKED: too many wrong PINs. No login succeeds until the security officer resets the user PIN.",
    patterns: [/CKR_PIN_LOCKED/],
    score: 94,
    entities,
    fix: (e) => ({
      summary: "The security officer sets a new user PIN (this unlocks it); then give it to Vault in VAULT_HSM_PIN and restart.",
      commands: [`pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --login-type so --so-pin <SO_PIN> --init-pin --new-pin <NEW_USER_PIN>`],
    }),
    sources: [SOURCE, MIEKG],
  },
  {
    id: "pkcs11.token_not_present",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "No token in the configured slot",
    explanation: "C_OpenSession returned CKR_TOKEN_NOT_PRESENT / CKR_SLOT_ID_INVALID: the slot number does not exist or holds no token (HSM partition not assigned, client not registered, or SoftHSM renumbered the slot at --init-token).",
    patterns: [/CKR_TOKEN_NOT_PRESENT/, /CKR_SLOT_ID_INVALID/, /CKR_TOKEN_NOT_RECOGNIZED/, /CKR_DEVICE_REMOVED/],
    score: 88,
    entities,
    fix: (e) => ({
      summary: "List the slots and their tokens; select the token by token_label (stable) rather than slot (renumbered by some HSMs and by SoftHSM).",
      commands: [`pkcs11-tool --module ${lib(e)} --list-token-slots`, "softhsm2-util --show-slots   # SoftHSM"],
    }),
    sources: [SOURCE, MIEKG],
  },
  {
    id: "pkcs11.token_label_not_found",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "No token has the configured label",
    explanation: "OpenBao looks for the first present token whose label equals token_label exactly (case and spaces count) and found none.",
    patterns: [/failed to find token with label/],
    score: 92,
    entities,
    fix: (e) => ({
      summary: `Set token_label to the label of an existing token (exactly as listed), or create the token "${valueOr(e, "tokenLabel", "<TOKEN_LABEL>")}".`,
      commands: [`pkcs11-tool --module ${lib(e)} --list-token-slots`, `softhsm2-util --init-token --free --label ${token(e)} --so-pin <SO_PIN> --pin <USER_PIN>   # SoftHSM, a NEW token only`],
    }),
    sources: [SOURCE],
  },
  {
    id: "pkcs11.key_not_found",
    cause: "key_not_found",
    providers: ["pkcs11"],
    title: "The key is not on the token",
    explanation: "No object matches key_label (CKA_LABEL) and key_id (CKA_ID) together, or a handle went stale (CKR_KEY_HANDLE_INVALID / CKR_OBJECT_HANDLE_INVALID) because the key was deleted or the HSM restarted. OpenBao never creates the key; Vault Enterprise only with generate_key.",
    patterns: [/\bno key found\b/, /CKR_KEY_HANDLE_INVALID/, /CKR_OBJECT_HANDLE_INVALID/],
    score: 86,
    entities,
    fix: (e) => ({
      summary: "List the token's keys and point key_label/key_id at the right one, or create the key (AES-256 shown; RSA: --keypairgen --key-type rsa:3072).",
      commands: [
        `pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --pin "$VAULT_HSM_PIN" --list-objects`,
        `pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --pin "$VAULT_HSM_PIN" --keygen --key-type aes:32 --label <KEY_LABEL>`,
      ],
    }),
    distinguishing: "A key that worked and now fails with a handle error points at a deleted key or an HSM failover to a partition without it.",
    sources: [SOURCE, MIEKG],
  },
  {
    id: "pkcs11.key_ambiguous",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "More than one object matches the key label",
    explanation: "OpenBao reads at most two matching objects and accepts one secret key, one private key, or a private + public pair; two secret keys (or three objects) with the same label stop the seal.",
    patterns: [/could not find unique secret key or key pair/, /found two objects, expected public\/private key pair/],
    score: 92,
    entities,
    fix: (e) => ({
      summary: "Add key_id to the stanza so exactly one key (or key pair) matches, or relabel the extra objects.",
      commands: [`pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --pin "$VAULT_HSM_PIN" --list-objects`],
    }),
    sources: [SOURCE],
  },
  {
    id: "pkcs11.mechanism_invalid",
    cause: "key_wrong_usage_or_spec",
    providers: ["pkcs11"],
    title: "The token does not support the mechanism (or its parameters)",
    explanation: "CKR_MECHANISM_INVALID: the token has no such mechanism for this key; CKR_MECHANISM_PARAM_INVALID / CKR_ARGUMENTS_BAD at EncryptInit/DecryptInit: it refuses the parameters (e.g. OAEP with sha256 on SoftHSM 2.6, which takes only sha1). OpenBao supports CKM_AES_GCM and CKM_RSA_PKCS_OAEP only.",
    patterns: [/CKR_MECHANISM_INVALID/, /CKR_MECHANISM_PARAM_INVALID/, /(?:EncryptInit|DecryptInit): pkcs11: 0x7: CKR_ARGUMENTS_BAD/, /\bunsupported mechanism: /, /\bdeprecated mechanism: /],
    score: 86,
    entities,
    fix: (e) => ({
      summary: "Use CKM_AES_GCM with an AES key or CKM_RSA_PKCS_OAEP with an RSA key pair, among the token's mechanisms; for OAEP pick an rsa_oaep_hash the token accepts (only for a new seal).",
      commands: [`pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --list-mechanisms`],
    }),
    sources: [SOURCE, MIEKG],
  },
  {
    id: "pkcs11.key_usage",
    cause: "key_wrong_usage_or_spec",
    providers: ["pkcs11"],
    title: "The key may not be used this way",
    explanation: "The key's attributes forbid the operation (CKA_ENCRYPT/CKA_DECRYPT false: CKR_KEY_FUNCTION_NOT_PERMITTED) or the key type does not fit the mechanism (CKR_KEY_TYPE_INCONSISTENT: an AES key with CKM_RSA_PKCS_OAEP or the reverse).",
    patterns: [/CKR_KEY_FUNCTION_NOT_PERMITTED/, /CKR_KEY_TYPE_INCONSISTENT/, /does not have CKA_(?:EN|DE)CRYPT/],
    score: 88,
    entities,
    fix: (e) => ({
      summary: "Remove mechanism (it is then chosen from the key type) or create a key with encrypt and decrypt allowed, and point the seal at it.",
      commands: [`pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --pin "$VAULT_HSM_PIN" --list-objects`],
    }),
    sources: [SOURCE, MIEKG],
  },
  {
    id: "pkcs11.not_logged_in",
    cause: "invalid_credentials",
    providers: ["pkcs11"],
    title: "The session is not logged in",
    explanation: "CKR_USER_NOT_LOGGED_IN: an operation on a private key ran in a session without a user login — the login failed earlier (read the first error), or the HSM dropped the login (restart, failover, session timeout).",
    patterns: [/CKR_USER_NOT_LOGGED_IN/],
    score: 84,
    entities,
    fix: (e) => ({
      summary: "Find the first PKCS#11 error in Vault's log (usually at login); check that the PIN works and the HSM keeps sessions across failover.",
      commands: [`pkcs11-tool --module ${lib(e)} --token-label ${token(e)} --login --list-objects   # asks for the PIN once`],
    }),
    sources: [MIEKG],
  },
  {
    id: "pkcs11.device_error",
    cause: "kms_internal_error",
    providers: ["pkcs11"],
    title: "The HSM reported a device failure",
    explanation: "CKR_DEVICE_ERROR / CKR_DEVICE_MEMORY / CKR_FUNCTION_FAILED / CKR_GENERAL_ERROR after initialisation: the HSM or its client failed (connection to a network HSM lost, partition full, firmware error).",
    patterns: [/CKR_DEVICE_ERROR/, /CKR_DEVICE_MEMORY/, /CKR_FUNCTION_FAILED/, /CKR_GENERAL_ERROR/],
    unless: [/failed to initialize PKCS11/],
    score: 70,
    entities,
    fix: (e) => ({
      summary: "Check the HSM's health and its client's logs and connection; retry once the HSM answers.",
      commands: [`pkcs11-tool --module ${lib(e)} --show-info`, `pkcs11-tool --module ${lib(e)} --list-token-slots`],
    }),
    sources: [MIEKG],
  },
  {
    id: "pkcs11.initialize_failed",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "C_Initialize of the PKCS#11 library failed",
    explanation: "The library loaded but would not initialise: its own configuration is missing or unreadable by Vault's user (SoftHSM: SOFTHSM2_CONF and its tokendir), or a network HSM client cannot reach its HSM.",
    patterns: [/failed to initialize PKCS11/],
    score: 90,
    entities,
    fix: (e) => ({
      summary: "Check the library's configuration file and permissions for Vault's user (SoftHSM: SOFTHSM2_CONF, default /etc/softhsm/softhsm2.conf, and its directories.tokendir).",
      commands: [`pkcs11-tool --module ${lib(e)} --show-info`, "ls -l \"${SOFTHSM2_CONF:-/etc/softhsm/softhsm2.conf}\"   # SoftHSM"],
    }),
    sources: [SOURCE],
  },
  {
    id: "pkcs11.library_not_loaded",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "The PKCS#11 library cannot be loaded",
    explanation: "The lib path does not exist, is for another architecture, or needs shared libraries that are missing. OpenBao then panics with a nil pointer dereference in pkcs11.(*Ctx).Initialize (miekg/pkcs11 New returns nil; the wrapper does not check).",
    patterns: [/pkcs11\.\(\*Ctx\)\.Initialize/, /\.so[.\d]{0,12}: cannot open shared object file/, /wrong ELF class: ELFCLASS\d\d/, /undefined symbol: C_GetFunctionList/],
    boosts: [{ when: /nil pointer dereference/, by: 5 }],
    score: 90,
    entities,
    fix: (e) => ({
      summary: "Point lib at the vendor's PKCS#11 library for this machine's architecture, and install the libraries it depends on.",
      commands: [`ls -l ${lib(e)}`, `file -L ${lib(e)}`, `ldd ${lib(e)} | grep 'not found'`],
    }),
    sources: [SOURCE, "https://github.com/miekg/pkcs11/blob/master/pkcs11.go"],
  },
  {
    id: "pkcs11.missing_setting",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "The pkcs11 stanza is incomplete",
    explanation: "lib, pin, slot or token_label, and key_label or key_id are required (or their VAULT_HSM_* / BAO_HSM_* variables); a slot must be a decimal or 0x number (32 bits for OpenBao).",
    patterns: [/\blib is required\b/, /\bslot or token label required\b/, /\bpin is required\b/, /\bkey id or key label required\b/, /\bInvalid slot number\b/],
    score: 92,
    entities,
    fix: () => ({ summary: "Add the missing setting to the seal \"pkcs11\" stanza, or its variable to Vault's environment (the PIN: VAULT_HSM_PIN).", commands: [] }),
    sources: [SOURCE],
  },
  {
    id: "pkcs11.build_without_hsm",
    cause: "seal_config_error",
    providers: ["pkcs11"],
    title: "This OpenBao build has no PKCS#11 support",
    explanation: "OpenBao compiles the pkcs11 seal only into its HSM builds (build tag hsm); the standard binary refuses the stanza. Vault needs Enterprise for it.",
    patterns: [/this build of OpenBao has PKCS#11 disabled/],
    score: 96,
    fix: () => ({ summary: "Run OpenBao's HSM distribution (or the pkcs11 KMS plugin from openbao-plugins), or Vault Enterprise.", commands: ["bao version"] }),
    sources: ["https://github.com/openbao/openbao/blob/main/helper/kmsplugin/wrapper.go"],
  },
]);
