// Which keys did `vault operator init` hand out? recovery_seal is true with auto-unseal: those are recovery
// keys, which authorise generate-root, rekey and seal migration, but cannot unseal Vault.
import { defineCheck } from "../../src/check.js";
import { isAutoUnseal, type VaultStatusFacts } from "../../src/vault/seal-status.js";
import { expectedSeal } from "../../src/vault/expected-seal.js";

export default defineCheck({
  id: "vault.recovery-seal",
  title: "Recovery keys",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  needs: ["vault.status"],
  messages: {
    "not-initialized": "Vault at {addr} is not initialized: no keys exist yet.",
    "recovery-keys": "recovery_seal is true: the {n} keys from `vault operator init` are recovery keys (threshold {t}, type {recoveryType}). They authorise generate-root, rekey and seal migration, but cannot unseal Vault: only {type} can.",
    "unseal-keys": "Shamir seal: the {n} keys from `vault operator init` are unseal keys (threshold {t}).{after}",
    "auto-without-recovery": "Vault reports the auto-unseal seal {type} but recovery_seal is false: the running Vault's key setup is not what auto-unseal gives.",
  },
  async run(ctx) {
    const facts = ctx.need("vault.status");
    const s = facts.sealStatus;
    const args = { addr: facts.addr, type: s.type, t: s.t, n: s.n, recoveryType: s.recovery_seal_type ?? "shamir" };
    const details = { recovery_seal: s.recovery_seal, recovery_seal_type: s.recovery_seal_type ?? null, threshold: s.t, shares: s.n };
    if (!s.initialized) return { findings: [ctx.report("skip", "not-initialized", args)] };
    if (s.recovery_seal) return { findings: [ctx.report("pass", "recovery-keys", args, { details })] };
    if (isAutoUnseal(s.type) && s.type !== "multiseal") return { findings: [ctx.report("warn", "auto-without-recovery", args, { details })] };
    const want = expectedSeal(ctx.config).type;
    const after = isAutoUnseal(want) ? ` After the migration to ${want} they become recovery keys and no longer unseal.` : "";
    return { findings: [ctx.report("pass", "unseal-keys", { ...args, after }, { details })] };
  },
});
