// The mechanism Vault will use (mechanism, else by key type: CKM_AES_GCM for AES, CKM_RSA_PKCS_OAEP for RSA;
// OpenBao's DefaultMechanism) is in the token's C_GetMechanismList, C_GetMechanismInfo allows encrypt and
// decrypt with it, and the key's size is within the mechanism's ulMinKeySize..ulMaxKeySize (bits for RSA; for
// AES PKCS#11 v2.40 says bytes, some tokens give bits: either reading is accepted).
import { defineCheck } from "../../src/check.js";
import { CKK, MECH_FLAGS, mechanismName } from "../../src/pkcs11/constants.js";
import { sh } from "../../src/pkcs11/probe.js";

export default defineCheck({
  id: "pkcs11.mechanism",
  title: "PKCS#11 mechanism",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  needs: ["pkcs11.config", "pkcs11.library", "pkcs11.token", "pkcs11.key"],
  messages: {
    "supported": "The token supports {mechanism} for encrypt and decrypt, with keys of {min}..{max}; the key's {size} is in range.",
    "not-listed": "The token does not list {mechanism} (C_GetMechanismList): encrypt and decrypt fail with CKR_MECHANISM_INVALID.",
    "no-encrypt-decrypt": "The token lists {mechanism} but not for {missing} (C_GetMechanismInfo flags).",
    "key-size": "The key's {size} is outside what {mechanism} takes on this token ({min}..{max}).",
    "list-failed": "C_GetMechanismList failed with {error}.",
  },
  async run(ctx) {
    const cfg = ctx.need("pkcs11.config");
    const { library } = ctx.need("pkcs11.library");
    const token = ctx.need("pkcs11.token");
    const key = ctx.need("pkcs11.key");
    const mech = key.mechanism;
    const name = mechanismName(mech);
    const mechs = library.mechanisms;
    if (!mechs || mechs.error) return { findings: [ctx.report("error", "list-failed", { error: mechs?.error?.ckr ?? mechs?.error?.message ?? "no answer" })] };
    const listCmd = `pkcs11-tool --module ${sh(cfg.lib)} --token-label ${sh(token.label)} --list-mechanisms`;
    if (!mechs.list.includes(mech)) {
      return { findings: [ctx.report("fail", "not-listed", { mechanism: name }, {
        cause: "key_wrong_usage_or_spec",
        fix: { summary: `Use a mechanism the token supports: an AES key with CKM_AES_GCM or an RSA key pair with CKM_RSA_PKCS_OAEP (see the list).`, commands: [listCmd] },
        details: { mechanisms: mechs.list.map(mechanismName).slice(0, 80) },
      })] };
    }
    const info = mechs.info.find((m) => m.mechanism === mech);
    if (!info) return { findings: [ctx.report("error", "list-failed", { error: `no C_GetMechanismInfo for ${name}` })] };
    const missing = [!(info.flags & MECH_FLAGS.ENCRYPT) && "encrypt", !(info.flags & MECH_FLAGS.DECRYPT) && "decrypt"].filter(Boolean);
    if (missing.length) return { findings: [ctx.report("fail", "no-encrypt-decrypt", { mechanism: name, missing: missing.join(" and ") }, { cause: "key_wrong_usage_or_spec", fix: { summary: "Use a mechanism the token can encrypt and decrypt with.", commands: [listCmd] } })] };
    const k = key.resolution.key;
    const aes = k.keyType === CKK.AES;
    const bits = aes ? (k.valueLen !== undefined ? k.valueLen * 8 : undefined) : (k.modulusBits ?? (key.resolution.kind === "pair" ? key.resolution.public.modulusBits : undefined));
    const size = bits === undefined ? "size (unknown)" : `${bits}-bit size`;
    const inRange = (n: number) => n >= info.minKeySize && n <= info.maxKeySize;
    const ok = bits === undefined || (aes ? inRange(bits / 8) || inRange(bits) : inRange(bits));
    const unit = aes && info.maxKeySize <= 64 ? " bytes" : " bits";
    const args = { mechanism: name, min: info.minKeySize, max: `${info.maxKeySize}${unit}`, size };
    if (!ok) return { findings: [ctx.report("fail", "key-size", args, { cause: "key_wrong_usage_or_spec", fix: { summary: "Use a key whose size the token supports with this mechanism (AES-256, or RSA 2048..4096).", commands: [listCmd] } })] };
    return { findings: [ctx.report("pass", "supported", args, { details: { hardware: (info.flags & MECH_FLAGS.HW) !== 0 } })] };
  },
});
