// Keys Vault silently ignores: a typo or a setting from a blog post never errors, it just does nothing.
// The famous one is kms_context on awskms: Vault sends no encryption context at all (go-kms-wrapping
// wrappers/awskms/options.go reads no such key; docs/vault-seal-facts.md#seal-settings).
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, locationOf } from "../../src/config/seal-config.js";
import { suggestKey } from "../../src/config/seal-schema.js";
import { COMMON_SETTINGS, sealDescriptor } from "../../src/seals/index.js";

export default defineCheck({
  id: "config.ignored-keys",
  title: "Settings Vault ignores",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["*"],
  messages: {
    "none": "Every setting in the stanza is one Vault reads.",
    "kms-context-ignored": "kms_context = \"{value}\" ({where}) is not a setting of Vault's awskms seal: Vault ignores it and sends NO encryption context. A key or IAM policy that requires kms:EncryptionContext:* will deny every Encrypt and Decrypt.",
    "ignored-key": "{key} ({where}) is not a setting of the {type} seal; Vault ignores it silently.",
    "ignored-key-suggest": "{key} ({where}) is not a setting of the {type} seal; Vault ignores it silently. Did you mean {suggestion}?",
    "unknown-type": "No settings list for seal type \"{type}\".",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const schema = sealDescriptor(seal.type);
    if (!schema) return { findings: [ctx.report("skip", "unknown-type", { type: seal.type })] };
    const findings: Finding[] = [];
    const byLine = Object.entries(seal.values).sort(([, a], [, b]) => (a.from.kind === "file" ? a.from.line ?? 0 : 0) - (b.from.kind === "file" ? b.from.line ?? 0 : 0));
    for (const [key, v] of byLine) {
      if (v.from.kind !== "file" && v.from.kind !== "flag") continue;
      if (schema.settings.some((st) => st.name === key) || COMMON_SETTINGS.includes(key)) continue;
      const where = formatProvenance(v.from);
      if (seal.type === "awskms" && key === "kms_context") {
        findings.push(ctx.report("warn", "kms-context-ignored", { value: v.value, where }, {
          location: locationOf(v.from),
          details: { kms_context: v.value, vault_sends: "no encryption context" },
          fix: {
            summary: "Remove kms_context from the seal stanza, and remove any kms:EncryptionContext condition from the key and IAM policies (run the round-trip checks to see whether one is present).",
            commands: [`# delete this line from ${where}:\nkms_context = "${v.value}"`],
            docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms",
          },
        }));
        continue;
      }
      const suggestion = suggestKey(seal.type, key);
      findings.push(suggestion
        ? ctx.report("warn", "ignored-key-suggest", { key, where, type: seal.type, suggestion }, {
          location: locationOf(v.from),
          fix: { summary: `Rename ${key} to ${suggestion}.`, commands: [`# in ${where}:\n${suggestion} = "${v.value}"`] },
        })
        : ctx.report("warn", "ignored-key", { key, where, type: seal.type }, { location: locationOf(v.from) }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "none"));
    return { findings };
  },
});
