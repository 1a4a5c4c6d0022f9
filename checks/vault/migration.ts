// Is a seal migration pending on the running Vault, and is one finished? seal-status `migration` is true while
// a node runs a migration config but has not yet migrated (it completes when a node unsealed with -migrate
// becomes active; https://developer.hashicorp.com/vault/docs/concepts/seal#seal-migration).
import { defineCheck } from "../../src/check.js";
import type { VaultStatusFacts } from "../../src/vault/seal-status.js";
import { expectedSeal } from "../../src/vault/expected-seal.js";

export default defineCheck({
  id: "vault.migration",
  title: "Seal migration state",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  needs: ["vault.status"],
  messages: {
    "in-progress": "A seal migration is pending on {addr} ({from} -> {to}): unseal with `vault operator unseal -migrate`; it completes when a migrated node becomes active.",
    "complete": "No migration pending and Vault reports {type}: the migration from {from} is complete. The disabled {from} block can be removed from the config (keep the old key until you are sure).",
    "none": "No seal migration pending on {addr}.",
  },
  async run(ctx) {
    const facts = ctx.need("vault.status");
    const s = facts.sealStatus;
    const want = expectedSeal(ctx.config);
    const from = want.migrationFrom ?? (s.type !== want.type ? s.type : "shamir");
    const args = { addr: facts.addr, from, to: want.type, type: s.type };
    if (s.migration) {
      return { findings: [ctx.report("warn", "in-progress", args, {
        details: { migration: true, sealed: s.sealed, reported_type: s.type },
        fix: { summary: "Finish the migration: vault-kms-doctor migrate prints the steps for this direction.", commands: [`vault-kms-doctor migrate --config <CONFIG> --vault-addr ${facts.addr}`] },
      })] };
    }
    if (want.migrationFrom && s.type === want.type) return { findings: [ctx.report("pass", "complete", args)] };
    return { findings: [ctx.report("pass", "none", args)] };
  },
});
