// explain on pkcs11 errors: the provider is named, and the fix commands carry the values from the text,
// shell-quoted (a token label with a space and a quote stays one word).
import { describe, expect, it } from "vitest";
import { explainText } from "../../src/troubleshoot/index.js";

describe("explain: pkcs11", () => {
  it("a token label from the text, shell-quoted into softhsm2-util", () => {
    const [d] = explainText("Error parsing Seal configuration: failed to find token with label: vault's hsm");
    expect(d).toMatchObject({ ruleId: "pkcs11.token_label_not_found", provider: "pkcs11", entities: { tokenLabel: "vault's hsm" } });
    expect(d!.fix!.commands[1]).toContain(`--label 'vault'\\''s hsm'`);
  });

  it("the library path from a loader error goes into ldd/file; placeholders stay placeholders", () => {
    const [d] = explainText("/opt/hsm vendor/lib/libpkcs11.so: cannot open shared object file: No such file or directory");
    expect(d!.ruleId).toBe("pkcs11.library_not_loaded");
    const [pin] = explainText("failed to login: pkcs11: 0xA0: CKR_PIN_INCORRECT");
    expect(pin!.fix!.commands[0]).toBe('pkcs11-tool --module "$PKCS11_LIB" --list-token-slots');
  });

  it("CKR_PIN_LOCKED tells the security officer's reset, CKR_KEY_HANDLE_INVALID a missing key", () => {
    expect(explainText("C_Login: pkcs11: 0xA4: CKR_PIN_LOCKED")[0]!.fix!.commands[0]).toContain('--login-type so --so-pin "$SO_PIN" --init-pin');
    expect(explainText("failed to pkcs11 EncryptInit: pkcs11: 0x60: CKR_KEY_HANDLE_INVALID")[0]).toMatchObject({ cause: "key_not_found", provider: "pkcs11" });
  });
});
