// Is the running Vault initialized? With auto-unseal, `vault operator init` returns recovery keys, never unseal keys.
import { defineCheck } from "../../src/check.js";
import { isAutoUnseal, type VaultStatusFacts } from "../../src/vault/seal-status.js";

export default defineCheck({
  id: "vault.initialized",
  title: "Initialized",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  needs: ["vault.status"],
  messages: {
    "initialized": "Vault at {addr} is initialized.",
    "not-initialized-auto": "Vault at {addr} is not initialized. With the {type} seal, `vault operator init` returns recovery keys (-recovery-shares, -recovery-threshold), not unseal keys: the KMS unseals Vault.",
    "not-initialized-shamir": "Vault at {addr} is not initialized. `vault operator init` will return the Shamir unseal keys (-key-shares, -key-threshold).",
  },
  async run(ctx) {
    const facts = ctx.need("vault.status");
    const s = facts.sealStatus;
    const args = { addr: facts.addr, type: s.type };
    if (s.initialized) return { findings: [ctx.report("pass", "initialized", args)] };
    if (isAutoUnseal(s.type)) {
      return { findings: [ctx.report("warn", "not-initialized-auto", args, {
        fix: { summary: "Initialize once, on one node, and store the recovery keys safely.", commands: [`VAULT_ADDR=${facts.addr} vault operator init -recovery-shares=5 -recovery-threshold=3`] },
      })] };
    }
    return { findings: [ctx.report("warn", "not-initialized-shamir", args, {
      fix: { summary: "Initialize once, on one node, and distribute the unseal keys.", commands: [`VAULT_ADDR=${facts.addr} vault operator init -key-shares=5 -key-threshold=3`] },
    })] };
  },
});
