// Seal-migration layout problems that config.seal-layout does not cover: a VAULT_SEAL_TYPE still exported
// from the old setup (Vault applies it to the enabled seal, so awskms -> gcpckms silently becomes
// awskms -> awskms), and an old and new seal that name the same key (nothing to migrate).
// Layout rules: vault command/server/config_util.go and command/server.go (docs/vault-seal-facts.md#reading-the-config).
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, sealValue, type SealConfig } from "../../src/config/seal-config.js";
import { sealDescriptor } from "../../src/seals/index.js";

/** The settings that identify the key (the descriptor's `identifiesKey`): two seals with equal values use the same key. */
const keyOf = (s: SealConfig) => (sealDescriptor(s.type)?.settings ?? []).filter((st) => st.identifiesKey).map((st) => sealValue(s, st.name) ?? "").join("|");

export default defineCheck({
  id: "migrate.layout",
  title: "Seal migration layout",
  scope: "config",
  when: "migration",
  appliesTo: ["*"],
  messages: {
    "not-migration": "No disabled seal in the config: this is not a seal-migration layout (for Shamir -> auto-unseal run `vault-kms-doctor migrate --from shamir`).",
    "layout": "Migration {from} -> {to}: the old seal {old} is disabled (it must still decrypt until the migration completes); {new}.",
    "seal-type-exported": "{variable}={value} is exported: {server} applies it to the enabled seal {name} (declared \"{declared}\" at {where}), so this migration would go {from} -> {value} instead of {from} -> {declared}.",
    "seal-type-exported-same": "{variable}={value} is exported. It matches the new seal now, but it overrides every enabled seal: unset it so the config alone decides.",
    "same-key": "The old seal {old} and the new seal {new} use the same {type} key ({key}): there is nothing to migrate.",
  },
  async run(ctx) {
    const seals = ctx.config.seals;
    const old = seals.filter((s) => s.disabled);
    const enabled = seals.filter((s) => !s.disabled);
    if (old.length === 0) return { findings: [ctx.report("skip", "not-migration")] };
    const findings: Finding[] = [];
    const from = old.map((s) => s.type).join("+");
    // OpenBao reads BAO_SEAL_TYPE first; set, even empty, it hides VAULT_SEAL_TYPE (openbao v2.6.2 command/server.go
    // setSeal, api/env.go ReadBaoVariable).
    const openbao = ctx.options.target?.server === "openbao";
    const variable = openbao && ctx.env.BAO_SEAL_TYPE !== undefined ? "BAO_SEAL_TYPE" : "VAULT_SEAL_TYPE";
    const server = openbao ? "OpenBao" : "Vault";
    const exported = ctx.env[variable]?.trim();
    if (exported) {
      const overridden = enabled.filter((s) => s.typeOverriddenBy);
      for (const s of overridden) {
        findings.push(ctx.report("fail", "seal-type-exported", { variable, server, value: s.type, name: s.name, declared: s.declaredType, where: formatProvenance(s.from), from }, {
          fix: {
            summary: `Unset ${variable} where ${server} runs (systemd Environment=, the pod spec, ${openbao ? "/etc/openbao/openbao.env" : "/etc/default/vault"}) before restarting for the migration.`,
            commands: [`unset ${variable}`, `systemctl show ${openbao ? "openbao" : "vault"} -p Environment | tr ' ' '\\n' | grep ${variable}`],
          },
        }));
      }
      if (overridden.length === 0) {
        findings.push(ctx.report("warn", "seal-type-exported-same", { variable, value: exported }, { fix: { summary: `Unset ${variable} where ${server} runs.`, commands: [`unset ${variable}`] } }));
      }
    }
    for (const o of old) {
      for (const n of enabled) {
        if (o.type === n.type && keyOf(o) !== "" && keyOf(o) === keyOf(n)) {
          findings.push(ctx.report("fail", "same-key", { old: o.name, new: n.name, type: n.type, key: keyOf(n).replace(/\|+$/, "").replace(/\|/g, ", ") }));
        }
      }
    }
    if (!findings.some((f) => f.status === "fail")) {
      const to = enabled.length === 0 ? "shamir" : enabled.map((s) => s.type).join("+");
      const newText = enabled.length === 0 ? "no seal is enabled, so Vault returns to Shamir unseal keys" : `the new seal ${enabled.map((s) => s.name).join(", ")} is enabled`;
      findings.unshift(ctx.report("pass", "layout", { from, to, old: old.map((s) => s.name).join(", "), new: newText }, { details: { from, to } }));
    }
    return { findings };
  },
});
