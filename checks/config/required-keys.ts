// Values the seal's wrapper cannot start without. Vault stops with "Error parsing Seal configuration: <text>".
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, sealValue } from "../../src/config/seal-config.js";
import { sealDescriptor } from "../../src/seals/index.js";

export default defineCheck({
  id: "config.required-keys",
  title: "Required seal settings",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["*"],
  messages: {
    "present": "All required settings are present ({keys}).",
    "missing": "{key} is not set, in the seal stanza ({where}) or the environment: Vault fails with \"Error parsing Seal configuration: {vaultError}\".",
    "unknown-type": "No required-settings rules for seal type \"{type}\".",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const descriptor = sealDescriptor(seal.type);
    const required = descriptor?.settings.filter((st) => st.requiredText !== undefined) ?? [];
    if (!descriptor || required.length === 0) return { findings: [ctx.report("skip", "unknown-type", { type: seal.type })] };
    const findings: Finding[] = [];
    for (const { name: key, requiredText: vaultError } of required) {
      // key_not_required lets an awskms/gcpckms seal start without DescribeKey, but Vault still needs the key id to encrypt.
      if (sealValue(seal, key)) continue;
      const vars = descriptor.env.vars.filter(([, k]) => k === key).map(([v]) => v);
      const fixKey = `${key} = "<value>"`;
      findings.push(ctx.report("fail", "missing", { key, where: formatProvenance(seal.from), vaultError }, {
        cause: "seal_config_error",
        fix: {
          summary: `Add ${key} to the ${seal.type} seal stanza${vars.length ? ` or set ${vars.join(" / ")}` : ""}.`,
          commands: [`# in ${formatProvenance(seal.from)}, inside seal "${seal.declaredType}" { ... }:\n${fixKey}`],
          docs: `https://developer.hashicorp.com/vault/docs/configuration/seal/${seal.type}`,
        },
      }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "present", { keys: required.map((st) => st.name).join(", ") }));
    return { findings, facts: findings.every((f) => f.status === "pass") ? { ok: true as const } : undefined };
  },
});

declare module "../../src/facts.js" {
  interface FactMap {
    /** Published only when every required setting is there. */
    "config.required-keys": { ok: true };
  }
}
