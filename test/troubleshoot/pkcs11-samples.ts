// pkcs11 error texts as OpenBao prints them: the wrapper's words (github:openbao/go-kms-wrapping
// wrappers/pkcs11/pkcs11_client.go at wrappers/pkcs11/v2.6.0) around miekg/pkcs11's "pkcs11: 0x%X: %s"
// (error.go), the loader's words, and what SoftHSM 2.6 answered in test/pkcs11 (OAEP with sha256).
const WRAPPER = "https://github.com/openbao/go-kms-wrapping/blob/main/wrappers/pkcs11/pkcs11_client.go";

export const PKCS11_SAMPLES: { rule: string; cause: string; text: string; source: string; entities?: Record<string, string>; also?: string[] }[] = [
  { rule: "pkcs11.pin_incorrect", cause: "invalid_credentials", source: WRAPPER, text: "Error parsing Seal configuration: failed to login: pkcs11: 0xA0: CKR_PIN_INCORRECT", entities: { ckr: "CKR_PIN_INCORRECT" } },
  { rule: "pkcs11.pin_locked", cause: "invalid_credentials", source: WRAPPER, text: "Error parsing Seal configuration: failed to login: pkcs11: 0xA4: CKR_PIN_LOCKED" },
  { rule: "pkcs11.token_not_present", cause: "seal_config_error", source: WRAPPER, text: "Error parsing Seal configuration: failed to open session: pkcs11: 0xE0: CKR_TOKEN_NOT_PRESENT" },
  { rule: "pkcs11.token_label_not_found", cause: "seal_config_error", source: WRAPPER, text: "Error parsing Seal configuration: failed to find token with label: vault-hsm", entities: { tokenLabel: "vault-hsm" } },
  { rule: "pkcs11.key_not_found", cause: "key_not_found", source: WRAPPER, text: "failed to encrypt with seal \"pkcs11\": no key found" },
  { rule: "pkcs11.key_ambiguous", cause: "seal_config_error", source: WRAPPER, text: "found two objects, expected public/private key pair (class 2 and 3) but got class 4 and 4" },
  { rule: "pkcs11.mechanism_invalid", cause: "key_wrong_usage_or_spec", source: WRAPPER, text: "failed to pkcs11 DecryptInit: pkcs11: 0x7: CKR_ARGUMENTS_BAD" },
  { rule: "pkcs11.mechanism_invalid", cause: "key_wrong_usage_or_spec", source: WRAPPER, text: "failed to pkcs11 EncryptInit: pkcs11: 0x70: CKR_MECHANISM_INVALID" },
  { rule: "pkcs11.key_usage", cause: "key_wrong_usage_or_spec", source: WRAPPER, text: "failed to pkcs11 EncryptInit: pkcs11: 0x63: CKR_KEY_TYPE_INCONSISTENT" },
  { rule: "pkcs11.not_logged_in", cause: "invalid_credentials", source: WRAPPER, text: "failed to pkcs11 DecryptInit: pkcs11: 0x101: CKR_USER_NOT_LOGGED_IN" },
  { rule: "pkcs11.device_error", cause: "kms_internal_error", source: WRAPPER, text: "failed to pkcs11 Encrypt: pkcs11: 0x30: CKR_DEVICE_ERROR" },
  { rule: "pkcs11.initialize_failed", cause: "seal_config_error", source: WRAPPER, text: "Error parsing Seal configuration: failed to initialize PKCS11: pkcs11: 0x5: CKR_GENERAL_ERROR" },
  {
    rule: "pkcs11.library_not_loaded", cause: "seal_config_error", source: "https://github.com/miekg/pkcs11/blob/master/pkcs11.go",
    text: "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1c5e0a4]\n\ngoroutine 1 [running]:\ngithub.com/miekg/pkcs11.(*Ctx).Initialize(0x0)\n\t/go/pkg/mod/github.com/miekg/pkcs11@v1.1.1/pkcs11.go:802 +0x24",
  },
  { rule: "pkcs11.library_not_loaded", cause: "seal_config_error", source: "https://man7.org/linux/man-pages/man3/dlopen.3.html", text: "/usr/vault/lib/libCryptoki2_64.so: cannot open shared object file: No such file or directory", entities: { lib: "/usr/vault/lib/libCryptoki2_64.so" } },
  { rule: "pkcs11.missing_setting", cause: "seal_config_error", source: WRAPPER, text: "Error parsing Seal configuration: slot or token label required" },
  { rule: "pkcs11.build_without_hsm", cause: "seal_config_error", source: "https://github.com/openbao/openbao/blob/main/helper/kmsplugin/wrapper.go", text: "Error parsing Seal configuration: this build of OpenBao has PKCS#11 disabled" },
];
