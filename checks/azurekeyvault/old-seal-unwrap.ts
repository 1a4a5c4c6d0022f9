// The old (disabled) azurekeyvault seal during a migration: Vault must still UnwrapKey, with the version recorded
// next to the stored root key, what the old seal wrapped (go-kms-wrapping wrappers/azurekeyvault Decrypt). wrapKey is
// not needed any more, and a policy without it is legitimate, so a denied wrapKey is not a failure here: without a
// probe of our own, Key Vault is asked to unwrap foreign bytes, which a caller without unwrapKey gets a 403 for.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { defineCheck } from "../../src/check.js";
import { callOptions, errorText, grantFix, isPermissionDenied, openCredential, openCryptoClient, versionOf, viewAzureError } from "../../src/azure/session.js";

export default defineCheck({
  id: "azurekeyvault.old-seal-unwrap",
  title: "Old seal can still unwrap",
  scope: "seal",
  when: "migration",
  oldSeal: "only",
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  uses: ["azurekeyvault.key", "azurekeyvault.vault-properties"],
  messages: {
    "unwrap-ok": "The old key {name} still unwraps (version {version}): Vault can read the root key the old seal wrapped during the migration.",
    "unwrap-allowed": "wrapKey with the old key {name} is not allowed ({error}), but Key Vault let the doctor try unwrapKey: the permission is there.",
    "unwrap-denied": "unwrapKey with the old key {name} was denied: {error}. `vault operator unseal -migrate` cannot read the root key the old seal wrapped.",
    "failed": "{step} with the old key {name} failed: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const key = ctx.fact("azurekeyvault.key");
    const vault = ctx.fact("azurekeyvault.vault-properties");
    const name = cfg.keyName;
    const credential = await openCredential(ctx, creds.choice);
    const fix = grantFix(cfg, creds, vault, "Keep unwrapKey (and get) on the old key for Vault's identity until every node has migrated.");
    const probe = randomBytes(32);
    let wrapped: { result: Uint8Array; version: string } | undefined;
    let wrapError: string | undefined;
    try {
      const w = await (await openCryptoClient(ctx, cfg, credential, "")).wrapKey("RSA-OAEP-256", probe, callOptions(ctx, 3));
      wrapped = { result: w.result, version: versionOf(w.keyID) || key?.version || "" };
    } catch (err) {
      const view = viewAzureError(err);
      if (!isPermissionDenied(view)) return { findings: [ctx.report(view.network || view.cause === "unknown" ? "error" : "fail", "failed", { step: "wrapKey", name, error: errorText(view) }, { cause: view.cause })] };
      wrapError = errorText(view);
    }
    try {
      const client = await openCryptoClient(ctx, cfg, credential, wrapped?.version ?? key?.version ?? "");
      const u = await client.unwrapKey("RSA-OAEP-256", wrapped?.result ?? randomBytes(256), callOptions(ctx, 3));
      const plain = Buffer.from(u.result);
      if (wrapped && (plain.length !== probe.length || !timingSafeEqual(plain, probe))) return { findings: [ctx.report("fail", "failed", { step: "Compare", name, error: "unwrapKey returned other bytes" }, { cause: "unseal_decrypt_failed" })] };
      return { findings: [ctx.report("pass", "unwrap-ok", { name, version: wrapped?.version || key?.version || "latest" })] };
    } catch (err) {
      const view = viewAzureError(err);
      if (isPermissionDenied(view)) return { findings: [ctx.report("fail", "unwrap-denied", { name, error: errorText(view) }, { cause: "permission_denied", fix })] };
      if (!wrapped && !view.network && view.status !== undefined) return { findings: [ctx.report("pass", "unwrap-allowed", { name, error: wrapError ?? "" })] };
      return { findings: [ctx.report(view.network || view.cause === "unknown" ? "error" : "fail", "failed", { step: "unwrapKey", name, error: errorText(view) }, { cause: view.cause })] };
    }
  },
});
