// The verdict: what Vault does at init and at every unseal (go-kms-wrapping wrappers/azurekeyvault Encrypt /
// Decrypt): WrapKey RSA-OAEP-256 of a random 32-byte data key with NO version (Key Vault picks the latest, the
// answer's kid names it), then UnwrapKey RSA-OAEP-256 with that RECORDED version, and compare. The probe is never
// printed.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { defineCheck, type CheckContext, type Finding } from "../../src/check.js";
import { shq } from "../../src/shell.js";
import { callOptions, errorText, grantFix, isFirewallDenied, isPermissionDenied, openCredential, openCryptoClient, versionOf, viewAzureError, type AzureConfigFacts, type AzureCredentialFacts, type AzureVaultFacts } from "../../src/azure/session.js";

type Step = "wrapKey" | "unwrapKey";

export default defineCheck({
  id: "azurekeyvault.round-trip",
  title: "Round trip as Vault does it",
  scope: "seal",
  oldSeal: "skip",
  blocksStart: true,
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  uses: ["azurekeyvault.key", "azurekeyvault.vault-properties"],
  messages: {
    "ok": "wrapKey and unwrapKey RSA-OAEP-256 of a random 32-byte key work, as Vault does them (version {version}, {ms} ms).",
    "denied": "{step} was denied: {error}. {consequence}",
    "key-state": "{step} was refused by the key's state: {error}. {consequence}",
    "firewall": "{step} was refused by the vault firewall: {error}",
    "failed": "{step} failed: {error}",
    "network": "{step} did not complete: {error}",
    "mismatch": "unwrapKey returned different bytes than were wrapped.",
    "no-key": "The key does not exist: nothing to wrap with.",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const key = ctx.fact("azurekeyvault.key");
    const vault = ctx.fact("azurekeyvault.vault-properties");
    if (key && !key.found) return { findings: [ctx.report("skip", "no-key")] };
    const credential = await openCredential(ctx, creds.choice);
    const probe = randomBytes(32);
    const started = performance.now();
    let step: Step = "wrapKey";
    try {
      const latest = await openCryptoClient(ctx, cfg, credential, "");
      const wrapped = await latest.wrapKey("RSA-OAEP-256", probe, callOptions(ctx, 3));
      const version = versionOf(wrapped.keyID) || key?.version || "";
      step = "unwrapKey";
      const recorded = await openCryptoClient(ctx, cfg, credential, version);
      const unwrapped = await recorded.unwrapKey("RSA-OAEP-256", wrapped.result, callOptions(ctx, 3));
      const plain = Buffer.from(unwrapped.result);
      if (plain.length !== probe.length || !timingSafeEqual(plain, probe)) return { findings: [ctx.report("fail", "mismatch", {}, { cause: "unseal_decrypt_failed" })] };
      return { findings: [ctx.report("pass", "ok", { version, ms: Math.round(performance.now() - started) }, { details: { key_version: version, algorithm: "RSA-OAEP-256" } })] };
    } catch (err) {
      return { findings: [failure(ctx, cfg, creds, vault, step, err)] };
    }
  },
});

function failure(ctx: CheckContext, cfg: AzureConfigFacts, creds: AzureCredentialFacts, vault: AzureVaultFacts | undefined, step: Step, err: unknown): Finding {
  const view = viewAzureError(err);
  const error = errorText(view);
  const consequence = step === "wrapKey" ? "Vault cannot initialise, rekey or re-wrap its root key with this seal." : "Vault cannot unseal.";
  if (view.network) return ctx.report("error", "network", { step, error }, { cause: view.cause });
  if (isFirewallDenied(view)) return ctx.report("fail", "firewall", { step, error }, { cause: "network_denied", fix: { summary: "Allow Vault's outbound address through the vault firewall (or use a private endpoint).", commands: [`az keyvault network-rule add --name ${shq(cfg.vaultName)} --ip-address <VAULT_OUTBOUND_IP>/32`] } });
  // The JS SDK checks nbf/exp/key_ops itself when it may read the key (CryptographyClient.ensureValid); Key Vault
  // refuses the same with a 403 (disabled, expired, operation not in key_ops) when it may not.
  const keyState = /disabled|expired|can't be used before|not supported on key|not allowed|key_ops|KeyOperationForbidden/i.test(`${view.innerCode ?? ""} ${view.message}`);
  if (keyState) return ctx.report("fail", "key-state", { step, error, consequence }, { cause: view.cause === "key_disabled" || /disabled/i.test(view.message + (view.innerCode ?? "")) ? "key_disabled" : "key_wrong_usage_or_spec", fix: { summary: "See azurekeyvault.key for the key's state.", commands: [`az keyvault key show --vault-name ${shq(cfg.vaultName)} --name ${shq(cfg.keyName)} --query "{ops:key.keyOps,enabled:attributes.enabled,exp:attributes.expires,nbf:attributes.notBefore}"`] } });
  if (isPermissionDenied(view)) return ctx.report("fail", "denied", { step, error, consequence }, { cause: "permission_denied", fix: grantFix(cfg, creds, vault, `Grant the permission for ${step}.`) });
  return ctx.report(view.cause === "unknown" ? "error" : "fail", "failed", { step, error }, { cause: view.cause, fix: view.fix });
}
