// Is the running Vault sealed, and what unseals it? An auto-unseal Vault that stays sealed could not decrypt
// its root key through the KMS; the keys from init are recovery keys and cannot unseal it (they are accepted by
// `vault operator unseal` only with -migrate, during a seal migration).
import { sh } from "../../src/shell.js";
import { defineCheck, type Finding } from "../../src/check.js";
import { isAutoUnseal, type VaultStatusFacts } from "../../src/vault/seal-status.js";
import { expectedSeal } from "../../src/vault/expected-seal.js";

export default defineCheck({
  id: "vault.sealed",
  title: "Sealed",
  scope: "config",
  when: "vault-addr",
  appliesTo: ["*"],
  needs: ["vault.status"],
  messages: {
    "not-initialized": "Vault at {addr} is not initialized, so there is nothing to unseal yet.",
    "unsealed": "Vault at {addr} is unsealed.",
    "sealed-migration": "Vault at {addr} is sealed with a seal migration pending: unseal it with `vault operator unseal -migrate` and the {keys} ({progress} of {t} entered).",
    "sealed-auto": "Vault at {addr} is sealed although it auto-unseals with {type}: it could not decrypt its root key through the KMS. Recovery keys cannot unseal it. Vault retries the unseal every 5 seconds by itself: once the KMS answers, it unseals without a restart.",
    "recovery-keys-entered": "Unseal progress is {progress} of {t}: someone is entering keys. With auto-unseal these are recovery keys, and recovery keys cannot unseal Vault.",
    "sealed-shamir": "Vault at {addr} is sealed (Shamir): {t} of {n} unseal keys are needed, {progress} entered.",
  },
  async run(ctx) {
    const facts = ctx.need("vault.status");
    const s = facts.sealStatus;
    const args = { addr: facts.addr, type: s.type, t: s.t, n: s.n, progress: s.progress };
    const details = { sealed: s.sealed, type: s.type, threshold: s.t, shares: s.n, progress: s.progress, migration: s.migration };
    if (!s.initialized) return { findings: [ctx.report("skip", "not-initialized", args)] };
    if (!s.sealed) return { findings: [ctx.report("pass", "unsealed", args, { details })] };
    if (s.migration) {
      // The keys -migrate takes are the old seal's: recovery keys when migrating away from an auto seal (a
      // disabled seal block), the Shamir unseal keys when migrating from Shamir.
      const keys = expectedSeal(ctx.config).migrationFrom ? "recovery keys" : "Shamir unseal keys";
      return { findings: [ctx.report("warn", "sealed-migration", { ...args, keys }, {
        details,
        fix: { summary: `Enter ${s.t} ${keys} with -migrate, one command per key (standbys first in an HA cluster).`, commands: [`VAULT_ADDR=${facts.addr} vault operator unseal -migrate   # repeat with ${s.t} different keys`] },
      })] };
    }
    if (isAutoUnseal(s.type) || s.recovery_seal) {
      const findings: Finding[] = [ctx.report("fail", "sealed-auto", args, {
        details,
        // Vault's runUnseal loop (command/server.go) retries UnsealWithStoredKeys every 5 s until it works or a fatal
        // error stops it, so fixing the KMS side is enough; the log says why each attempt failed.
        fix: {
          summary: "Find out why the KMS refuses, where Vault runs and with its environment, and fix that; Vault retries every 5 seconds and unseals by itself (no restart). Its log names the error of each attempt (\"failed to unseal core\").",
          commands: [
            ctx.config.files.length
              ? `vault-kms-doctor check ${ctx.config.files.map((f) => sh`--config ${f}`).join(" ")}`
              : "vault-kms-doctor check --config \"$(ps -o args= -C vault | grep -o -- '-config[= ][^ ]*' | head -1 | cut -c9-)\"   # the config the running Vault was started with",
            "journalctl -u vault --since -10m | grep 'failed to unseal core'   # or: kubectl logs vault-0 | grep 'failed to unseal core'",
            sh`VAULT_ADDR=${facts.addr} vault status   # Sealed false within 5 s of the fix`,
          ],
        },
      })];
      if (s.progress > 0) findings.push(ctx.report("fail", "recovery-keys-entered", args, { details }));
      return { findings };
    }
    return { findings: [ctx.report("warn", "sealed-shamir", args, {
      details,
      fix: { summary: `Enter ${s.t} unseal keys, one command per key.`, commands: [`VAULT_ADDR=${facts.addr} vault operator unseal   # repeat with ${s.t} different keys`] },
    })] };
  },
});
