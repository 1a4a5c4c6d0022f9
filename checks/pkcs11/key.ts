// The key: the objects matching key_label and key_id (CKA_LABEL and CKA_ID together, as OpenBao's FindKey
// searches), resolved as OpenBao does (src/pkcs11/key-rules.ts), then what OpenBao checks before each operation:
// a secret key needs CKA_ENCRYPT and CKA_DECRYPT, a private key CKA_DECRYPT, its public key CKA_ENCRYPT when
// encryption happens on the HSM; and what it does not check but the token will refuse: the mechanism's key
// type, and (software RSA encryption) a modulus of at least 2048 bits (ExportRSAPublicKey). Read in the
// login check's session; the doctor never creates the key (Vault's generate_key is not honoured).
import { defineCheck, type Finding } from "../../src/check.js";
import { CKK, CKO, classNameOf, defaultMechanism, keyTypeFor, keyTypeName, mechanismName } from "../../src/pkcs11/constants.js";
import { resolveKey } from "../../src/pkcs11/key-rules.js";
import type { KeyObject } from "../../src/pkcs11/probe-types.js";
import { PKCS11_DOCS, sh, type Pkcs11ConfigFacts } from "../../src/pkcs11/probe.js";

function describe(o: KeyObject): string {
  const size = o.valueLen !== undefined ? ` ${o.valueLen * 8}-bit` : o.modulusBits !== undefined ? ` ${o.modulusBits}-bit` : "";
  return `${classNameOf(o.class)} ${keyTypeName(o.keyType)}${size} label "${o.label ?? ""}" id ${o.id ? `0x${o.id}` : "none"}`;
}

function toolBase(cfg: Pkcs11ConfigFacts, label: string): string {
  return `pkcs11-tool --module ${sh(cfg.lib)} --token-label ${sh(label)} --login --pin "$VAULT_HSM_PIN"`;
}

export default defineCheck({
  id: "pkcs11.key",
  title: "PKCS#11 key",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  needs: ["pkcs11.config", "pkcs11.token", "pkcs11.login"],
  messages: {
    "found": "Key {key}: {what}; Vault will use {mechanism}.",
    "not-found": "No object on token \"{token}\" has {key}: the seal stops with \"no key found\".",
    "ambiguous": "{count} objects have {key}: {objects}. OpenBao reads at most two and stops with \"{vaultError}\" or uses whichever the token lists first.",
    "not-a-pair": "Two objects have {key} but they are not a private + public key pair ({objects}): the seal stops with \"{vaultError}\".",
    "no-public": "The private key {key} has no public key with the same CKA_ID: the seal stops with \"{vaultError}\".",
    "wrong-class": "The object with {key} is a {class}, not a secret or private key: the seal stops with \"{vaultError}\".",
    "type-mismatch": "The private and public key with {key} have different key types: the seal stops with \"{vaultError}\".",
    "search-failed": "Searching for the key failed with {error}.",
    "no-encrypt": "The {class} has CKA_ENCRYPT false: Vault stops with \"{vaultError}\".",
    "no-decrypt": "The {class} has CKA_DECRYPT false: Vault stops with \"{vaultError}\" and cannot unseal.",
    "public-no-encrypt": "The public key has CKA_ENCRYPT false: encrypting on the HSM (Vault Enterprise's default, or OpenBao with disable_software_encryption) fails.",
    "mechanism-key-mismatch": "mechanism {mechanism} needs a {needs} key but {key} is {keyType}: C_EncryptInit fails with CKR_KEY_TYPE_INCONSISTENT.",
    "unsupported-key-type": "{key} is a {keyType} key: the seal supports AES (CKM_AES_GCM) and RSA (CKM_RSA_PKCS_OAEP) keys (\"unsupported key type\").",
    "rsa-too-short": "The RSA key is {bits} bits: OpenBao encrypts with the exported public key only from 2048 bits (\"malformed rsa public key: modulus is shorter than 2048 bits\").",
  },
  async run(ctx) {
    const cfg = ctx.need("pkcs11.config");
    const token = ctx.need("pkcs11.token");
    const { session } = ctx.need("pkcs11.login");
    const keyText = [cfg.keyLabel !== undefined ? `label "${cfg.keyLabel}"` : undefined, cfg.keyId ? `id 0x${cfg.keyId}` : undefined].filter(Boolean).join(" and ");
    const search = session.key;
    if (!search || search.error) return { findings: [ctx.report("error", "search-failed", { error: search?.error?.ckr ?? search?.error?.message ?? "no answer" })] };
    const objects = search.objects;
    const list = `${toolBase(cfg, token.label)} --list-objects`;
    const r = resolveKey(objects, search.publicMatch);
    const objectsText = objects.map(describe);
    if (!r.ok) {
      const cause = r.reason === "none" ? "key_not_found" : "seal_config_error";
      let fix;
      if (r.reason === "none") {
        const label = cfg.keyLabel ?? "vault-hsm-key";
        const id = cfg.keyId ? ` --id ${cfg.keyId}` : "";
        fix = {
          summary: `Point key_label/key_id (${cfg.keyFrom}) at an existing key, or create the key (an operator action: the doctor never creates one). AES-256 shown; for RSA use --keypairgen --key-type rsa:3072.`,
          commands: [list, `${toolBase(cfg, token.label)} --keygen --key-type aes:32 --label ${sh(label)}${id}`],
          docs: PKCS11_DOCS,
        };
      } else if (r.reason === "ambiguous" || r.reason === "not-a-pair") {
        const ids = [...new Set(objects.map((o) => o.id).filter((x): x is string => !!x))];
        fix = {
          summary: ids.length > 1 ? `Give key_id too (${cfg.keyFrom}) so exactly one key (or one key pair) matches, e.g. key_id = "0x${ids[0]}"; or relabel/remove the extra objects.` : "Relabel or remove the extra objects so exactly one key (or one key pair) has this label.",
          commands: [list, ...(ids.length > 1 ? [`# in ${cfg.keyFrom}:\nkey_id = "0x${ids[0]}"`] : [])],
          docs: PKCS11_DOCS,
        };
      } else fix = { summary: "Make the key's objects match what Vault expects: one secret key, or a private key with a public key of the same CKA_ID.", commands: [list] };
      const code = r.reason === "none" ? "not-found" : r.reason;
      return { findings: [ctx.report("fail", code, {
        key: keyText, token: token.label, count: objects.length + (search.truncated ? "+" : ""), objects: objectsText, vaultError: r.vaultError,
        class: objects[0] ? classNameOf(objects[0].class) : "",
      }, { cause, fix, details: { objects: objectsText } })] };
    }
    const key = r.key;
    const findings: Finding[] = [];
    const mechanism = cfg.mechanism ?? defaultMechanism(key.keyType);
    if (mechanism === undefined) {
      return { findings: [ctx.report("fail", "unsupported-key-type", { key: keyText, keyType: keyTypeName(key.keyType) }, { cause: "key_wrong_usage_or_spec", details: { objects: objectsText } })] };
    }
    if (keyTypeFor(mechanism) !== key.keyType) {
      findings.push(ctx.report("fail", "mechanism-key-mismatch", { mechanism: mechanismName(mechanism), needs: keyTypeName(keyTypeFor(mechanism)), key: keyText, keyType: keyTypeName(key.keyType) }, {
        cause: "key_wrong_usage_or_spec",
        fix: { summary: `Remove mechanism (${key.keyType === CKK.AES ? "CKM_AES_GCM" : "CKM_RSA_PKCS_OAEP"} is chosen from the key type) or point the seal at a ${keyTypeName(keyTypeFor(mechanism))} key.`, commands: [`# in the seal stanza:\nmechanism = "${mechanismName(defaultMechanism(key.keyType) ?? mechanism)}"`] },
      }));
    }
    const attrFix = (what: string) => ({ summary: `Create a key with ${what} allowed (key attributes usually cannot be changed once set to false), then point the seal at it.`, commands: [list] });
    if (key.class === CKO.SECRET_KEY) {
      if (key.encrypt !== true) findings.push(ctx.report("fail", "no-encrypt", { class: "secret key", vaultError: "secret key does not have CKA_ENCRYPT" }, { cause: "key_wrong_usage_or_spec", fix: attrFix("CKA_ENCRYPT") }));
      if (key.decrypt !== true) findings.push(ctx.report("fail", "no-decrypt", { class: "secret key", vaultError: "secret key does not have CKA_DECRYPT" }, { cause: "key_wrong_usage_or_spec", fix: attrFix("CKA_DECRYPT") }));
    } else {
      if (key.decrypt !== true) findings.push(ctx.report("fail", "no-decrypt", { class: "private key", vaultError: "private key does not have CKA_DECRYPT" }, { cause: "key_wrong_usage_or_spec", fix: attrFix("CKA_DECRYPT") }));
      if (r.kind === "pair" && r.public.encrypt !== true) {
        findings.push(ctx.report(cfg.disableSoftwareEncryption ? "fail" : "warn", "public-no-encrypt", {}, { cause: "key_wrong_usage_or_spec" }));
      }
      const bits = key.modulusBits ?? (r.kind === "pair" ? r.public.modulusBits : undefined);
      if (!cfg.disableSoftwareEncryption && bits !== undefined && bits < 2048) findings.push(ctx.report("fail", "rsa-too-short", { bits }, { cause: "key_wrong_usage_or_spec" }));
    }
    if (findings.some((f) => f.status === "fail")) return { findings };
    const what = r.kind === "pair" ? `${describe(key)} with its public key` : describe(key);
    findings.unshift(ctx.report("pass", "found", { key: keyText, what, mechanism: mechanismName(mechanism) }, {
      details: { objects: objectsText, encrypt: key.encrypt ?? null, decrypt: key.decrypt ?? null, wrap: (r.kind === "pair" ? r.public.wrap : key.wrap) ?? null, unwrap: key.unwrap ?? null, extractable: key.extractable ?? null },
    }));
    return { findings, facts: { resolution: r, objects, mechanism } };
  },
});
