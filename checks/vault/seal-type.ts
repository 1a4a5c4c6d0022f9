// Does the running Vault use the seal this config describes? After a migration it must report the new type.
// seal-status `type` is "multiseal" when Vault has several seals configured (seal HA, Vault Enterprise 1.16+):
// it then names none of them, so the comparison is with the set of configured seals.
import { defineCheck } from "../../src/check.js";
import type { VaultStatusFacts } from "../../src/vault/seal-status.js";
import { expectedSeal } from "../../src/vault/expected-seal.js";

export default defineCheck({
  id: "vault.seal-type",
  title: "Running seal type",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  needs: ["vault.status"],
  messages: {
    "matches": "Vault at {addr} runs the {type} seal, as configured.",
    "migration-pending": "Vault at {addr} still reports {actual} with a seal migration pending to {expected}: the type changes once a node unsealed with -migrate becomes active.",
    "still-old": "Vault at {addr} runs {actual}, but the config's enabled seal is {expected} and no migration is pending: Vault has not been restarted with this config, or was unsealed without -migrate.",
    "multiseal": "Vault at {addr} reports \"multiseal\": several seals are configured (seal high availability), so seal-status names none of them. The config has {seals}.",
    "multiseal-unexpected": "Vault at {addr} reports \"multiseal\" (several seals, seal HA), but this config has {seals}: it is not the config this Vault runs.",
    "mismatch": "Vault at {addr} runs the {actual} seal, but this config says {expected}: this is not the config that Vault runs (or VAULT_SEAL_TYPE differs where Vault runs).",
  },
  async run(ctx) {
    const facts = ctx.need("vault.status");
    const s = facts.sealStatus;
    const want = expectedSeal(ctx.config);
    const args = { addr: facts.addr, actual: s.type, expected: want.type, type: s.type };
    const seals = ctx.config.seals.length === 0 ? "no seal block (Shamir)" : ctx.config.seals.map((x) => `${x.type}${x.disabled ? " (disabled)" : ""}`).join(", ");
    const details = { reported: s.type, configured: want.type, migration: s.migration };
    if (s.type === "multiseal") {
      const several = ctx.config.seals.length > 1;
      return { findings: [ctx.report(several ? "pass" : "fail", several ? "multiseal" : "multiseal-unexpected", { ...args, seals }, { details })] };
    }
    if (s.type === want.type) return { findings: [ctx.report("pass", "matches", args, { details })] };
    const oldTypes = want.oldTypes.length > 0 ? want.oldTypes : ["shamir"];
    if (s.migration && oldTypes.includes(s.type)) return { findings: [ctx.report("warn", "migration-pending", args, { details })] };
    if (oldTypes.includes(s.type) || (s.type === "shamir" && want.type !== "shamir")) {
      return { findings: [ctx.report("fail", "still-old", args, {
        details,
        fix: { summary: "Restart Vault with this config and unseal it with -migrate (standbys first in an HA cluster).", commands: ["vault-kms-doctor migrate --config <CONFIG> --vault-addr " + facts.addr] },
      })] };
    }
    return { findings: [ctx.report("fail", "mismatch", args, { details })] };
  },
});
