// The pkcs11 stanza as OpenBao's newPkcs11Client reads it (github:openbao/go-kms-wrapping
// wrappers/pkcs11/pkcs11_client.go and options.go at wrappers/pkcs11/v2.6.0): lib (or module), slot or
// token_label (or token), pin, key_id or key_label (or label), mechanism, rsa_oaep_hash,
// disable_software_encryption; Vault Enterprise's extra settings from its documentation
// (hashicorp/vault website/content/docs/configuration/seal/pkcs11.mdx). The PIN is never printed: only where it
// comes from. Vault's documentation: "it is _strongly_ recommended to set this value via environment variables".
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, type ResolvedValue, type SealConfig } from "../../src/config/seal-config.js";
import { parseGoBool } from "../../src/go-bool.js";
import { OAEP_HASHES, OPENBAO_MAX_SLOT, keyIdBytes, parseMechanism, parseSlot } from "../../src/pkcs11/constants.js";
import { PKCS11_DOCS, type Pkcs11ConfigFacts } from "../../src/pkcs11/probe.js";

/** The first set setting of several names (OpenBao reads both spellings: lib/module, token_label/token, key_label/label). */
function first(seal: SealConfig, ...keys: string[]): { key: string; v: ResolvedValue } | undefined {
  for (const key of keys) {
    const v = seal.values[key];
    if (v && v.value !== "") return { key, v };
  }
  return undefined;
}

export default defineCheck({
  id: "pkcs11.config",
  title: "PKCS#11 settings",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["pkcs11"],
  messages: {
    "values": "Library {lib}, token {token}, key {key}, mechanism {mechanism}; the PIN comes from {pinFrom}.",
    "missing": "{what} is not set ({where}) or in {vars}: the seal stops with \"{vaultError}\".",
    "no-pin": "No PIN (see config.required-keys: \"pin is required\"): nothing to log in with.",
    "pin-unresolved": "pin = \"{indirection}\" ({where}) cannot be read: {error}.",
    "pin-in-file": "The HSM PIN is written in the configuration file ({where}); set it in the environment (VAULT_HSM_PIN, or BAO_HSM_PIN for OpenBao) and remove it from the file.",
    "invalid-slot": "slot \"{slot}\" ({where}) is not a slot number (decimal, or hex with 0x): the seal stops with \"Invalid slot number\".",
    "slot-over-32-bits": "slot {slot} ({where}) is larger than 32 bits: Vault Enterprise takes it, OpenBao stops with \"Invalid slot number\" (it parses the slot as a 32-bit number).",
    "slot-and-label": "Both slot ({slot}) and token_label (\"{tokenLabel}\") are set: the slot wins and token_label is not used to find the token.",
    "key-id-not-hex": "key_id \"{keyId}\" ({where}) is not hexadecimal: OpenBao then searches by key_label alone.",
    "mechanism-deprecated": "mechanism = \"{mechanism}\" ({where}) is refused by OpenBao (\"deprecated mechanism: {mechanism}\"); Vault Enterprise still accepts it with an HMAC key. Use CKM_AES_GCM (AES key) or CKM_RSA_PKCS_OAEP (RSA key pair).",
    "mechanism-unsupported": "mechanism = \"{mechanism}\" ({where}) is not one the seal supports: it stops with \"unsupported mechanism: {mechanism}\". Supported: CKM_AES_GCM (0x1087) and CKM_RSA_PKCS_OAEP (0x0009).",
    "oaep-hash-unsupported": "rsa_oaep_hash = \"{hash}\" ({where}) is not sha1, sha224, sha256, sha384 or sha512: every RSA encrypt stops with \"unsupported mechanism: {hash}\".",
    "bad-bool": "{key} = \"{value}\" ({where}) is not a boolean: the seal stops at startup.",
    "generate-key": "generate_key is set ({where}): OpenBao never creates a key, and Vault Enterprise creates one only when none is found; the doctor never creates one. The key must exist on the token for these checks.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const findings: Finding[] = [];
    const stanza = formatProvenance(seal.from);
    const fix = (summary: string, commands: string[]) => ({ cause: "seal_config_error", fix: { summary, commands, docs: PKCS11_DOCS } });
    const missing = (what: string, vars: string, vaultError: string, lines: string[]) =>
      ctx.report("fail", "missing", { what, where: stanza, vars, vaultError }, fix(`Add ${what} to the seal "pkcs11" stanza or the environment.`, [`# in ${stanza}, inside seal "pkcs11" { ... }:\n${lines.join("\n")}`]));

    const lib = first(seal, "lib", "module");
    if (!lib) findings.push(missing("lib", "VAULT_HSM_LIB / BAO_HSM_LIB", "lib is required", ['lib = "/usr/lib/softhsm/libsofthsm2.so"']));

    const slotV = first(seal, "slot");
    const tokenV = first(seal, "token_label", "token");
    if (!slotV && !tokenV) findings.push(missing("slot or token_label", "VAULT_HSM_SLOT / VAULT_HSM_TOKEN_LABEL", "slot or token label required", ['token_label = "<TOKEN LABEL>"']));
    let slot: string | undefined;
    if (slotV) {
      const n = parseSlot(slotV.v.value.trim());
      const where = formatProvenance(slotV.v.from);
      if (n === undefined) findings.push(ctx.report("fail", "invalid-slot", { slot: slotV.v.value, where }, { cause: "seal_config_error" }));
      else {
        slot = n.toString();
        if (n > OPENBAO_MAX_SLOT) findings.push(ctx.report("warn", "slot-over-32-bits", { slot, where }, fix("For OpenBao, select the token by token_label instead of slot.", [`# in ${where}: remove slot and set\ntoken_label = "<TOKEN LABEL>"`])));
        if (tokenV) findings.push(ctx.report("warn", "slot-and-label", { slot, tokenLabel: tokenV.v.value }));
      }
    }

    const pinV = seal.values.pin;
    let pin: string | undefined;
    // A missing pin is config.required-keys' finding (the descriptor's requiredText): not repeated here.
    const noPin = !pinV || (pinV.value === "" && !pinV.resolveError);
    if (noPin) { /* reported by config.required-keys */ }
    else if (pinV.resolveError) findings.push(ctx.report("fail", "pin-unresolved", { indirection: pinV.indirection ?? "", where: formatProvenance(pinV.from), error: pinV.resolveError }, { cause: "seal_config_error" }));
    else {
      pin = pinV.value;
      if (pinV.from.kind === "file" && pinV.indirection === undefined) {
        findings.push(ctx.report("warn", "pin-in-file", { where: formatProvenance(pinV.from) }, {
          fix: {
            summary: "Move the PIN out of the file: delete the pin line, and give Vault the PIN in its environment (systemd drop-in shown; the PIN is typed, never stored in shell history).",
            commands: [
              `# delete the pin line at ${formatProvenance(pinV.from)}`,
              "sudo systemctl edit vault   # add: [Service] Environment=VAULT_HSM_PIN=<PIN>  (or EnvironmentFile= a root-only file)",
              "sudo systemctl restart vault",
            ],
            docs: PKCS11_DOCS,
          },
        }));
      }
    }

    const labelV = first(seal, "key_label", "label");
    const idV = first(seal, "key_id");
    if (!labelV && !idV) findings.push(missing("key_label or key_id", "VAULT_HSM_KEY_LABEL / VAULT_HSM_KEY_ID", "key id or key label required", ['key_label = "<KEY LABEL>"']));
    const keyId = keyIdBytes(idV?.v.value);
    if (idV && keyId === undefined) findings.push(ctx.report(labelV ? "warn" : "fail", "key-id-not-hex", { keyId: idV.v.value, where: formatProvenance(idV.v.from) }, { cause: "seal_config_error" }));

    const mechV = first(seal, "mechanism");
    const mech = parseMechanism(mechV?.v.value.trim());
    if (!mech.ok) {
      const where = formatProvenance(mechV!.v.from);
      findings.push(ctx.report("fail", mech.reason === "deprecated" ? "mechanism-deprecated" : "mechanism-unsupported", { mechanism: mech.text, where },
        fix("Set mechanism to CKM_AES_GCM for an AES key or CKM_RSA_PKCS_OAEP for an RSA key pair, or remove it (chosen by key type).", [`# in ${where}:\nmechanism = "CKM_AES_GCM"`])));
    }

    const hashV = first(seal, "rsa_oaep_hash");
    const oaepHash = (hashV?.v.value ?? "sha256").toLowerCase();
    if (!OAEP_HASHES[oaepHash]) findings.push(ctx.report("fail", "oaep-hash-unsupported", { hash: hashV!.v.value, where: formatProvenance(hashV!.v.from) }, { cause: "seal_config_error" }));

    const bools: Record<string, boolean> = {};
    for (const key of ["disable_software_encryption", "force_rw_session", "generate_key"]) {
      const v = first(seal, key);
      if (!v) continue;
      const parsed = parseGoBool(v.v.value);
      if (parsed === undefined) findings.push(ctx.report("fail", "bad-bool", { key, value: v.v.value, where: formatProvenance(v.v.from) }, { cause: "seal_config_error" }));
      else bools[key] = parsed;
    }
    if (bools.generate_key) findings.push(ctx.report("warn", "generate-key", { where: formatProvenance(first(seal, "generate_key")!.v.from) }));

    if (findings.some((f) => f.status === "fail")) return { findings };
    if (noPin) return { findings: [...findings, ctx.report("skip", "no-pin", {})] };
    const keyText = [labelV ? `label "${labelV.v.value}"` : undefined, keyId ? `id 0x${keyId}` : undefined].filter(Boolean).join(", ");
    const facts: Pkcs11ConfigFacts = {
      lib: lib!.v.value,
      libFrom: formatProvenance(lib!.v.from),
      slot,
      tokenLabel: slot === undefined ? tokenV?.v.value : undefined,
      selectorFrom: formatProvenance((slotV ?? tokenV)!.v.from),
      pin,
      pinFrom: pinV ? formatProvenance(pinV.from) : undefined,
      keyLabel: labelV?.v.value,
      keyId,
      keyFrom: formatProvenance((labelV ?? idV)!.v.from),
      mechanism: mech.ok ? mech.mechanism : undefined,
      oaepHash,
      disableSoftwareEncryption: bools.disable_software_encryption ?? false,
      forceRwSession: bools.force_rw_session ?? false,
    };
    findings.unshift(ctx.report("pass", "values", {
      lib: facts.lib,
      token: slot !== undefined ? `slot ${slot}` : `label "${facts.tokenLabel}"`,
      key: keyText,
      mechanism: mechV?.v.value ?? "by key type",
      pinFrom: facts.pinFrom,
    }, { details: { lib: facts.lib, lib_from: facts.libFrom, token_from: facts.selectorFrom, key_from: facts.keyFrom, pin_from: facts.pinFrom ?? null, rsa_oaep_hash: oaepHash } }));
    return { findings, facts };
  },
});
