// The Key Vault key version that wrapped the root key in storage (issue 20 / 21, azurekeyvault variant). The
// azurekeyvault wrapper stores only the version as the BlobInfo key id (openbao/go-kms-wrapping
// wrappers/azurekeyvault v2.4.0 azurekeyvault.go Encrypt: KeyId = ParseKeyVersion(resp.KID.Version())), and Decrypt
// unwraps with exactly that version of the *configured* key (UnwrapKey(keyName, in.KeyInfo.KeyId)). So after a
// rotation the latest version can be fine while the recorded one is disabled: a restart then stays sealed
// (conformance azure:older-version-disabled: OpenBao logs "RESPONSE 403 … KeyDisabled" on …/keys/<name>/<version>/
// unwrapkey). Read-only: one Get Key of that version (GET {vaultBaseUrl}/keys/{key-name}/{key-version},
// https://learn.microsoft.com/en-us/rest/api/keyvault/keys/get-key/get-key), which Key Vault refuses with 403
// KeyDisabled for a disabled version (the key's `get` permission, which Vault needs anyway).
import { defineCheck } from "../../src/check.js";
import type { FindingValue } from "../../src/model.js";
import { shq } from "../../src/shell.js";

export default defineCheck({
  id: "storage.azure-version",
  title: "Key Vault key version that wrapped the stored root key",
  scope: "seal",
  blocksStart: true,
  when: "storage",
  oldSeal: "skip",
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  messages: {
    "unreadable": "Vault's storage {file} could not be read ({reason}): the key version that wrapped the stored root key is unknown.",
    "not-initialised": "{file} holds no seal-wrapped root key: Vault is not initialised and will wait for `operator init`.",
    "seal-type-differs": "The stored keys were sealed by a {stored} seal, but the config's seal is azurekeyvault: a seal migration is needed, not a restart.",
    "ok": "The stored root key was wrapped with version {version} of {name}: it is enabled, so a restart can unwrap it.",
    "version-disabled": "The stored root key was wrapped with version {version} of {name}, which is disabled: Key Vault refuses to unwrap with it and Vault will not unseal.",
    "version-missing": "The stored root key was wrapped with version {version} of {name}, which does not exist in {vault}: Vault will not unseal.",
    "failed": "Reading version {version} of {name} failed: {error}",
  },
  async run(ctx) {
    const stored = ctx.options.storage;
    if (!stored) return { findings: [ctx.report("error", "failed", { version: "(storage)", name: "(storage)", error: "no storage was read" })] };
    const where = { file: stored.file, storage_type: stored.location.type, storage_from: stored.location.from };
    if (stored.unreadable) return { findings: [ctx.report("error", "unreadable", { file: stored.file, reason: stored.unreadable }, { details: where })] };
    if (!stored.barrierKeys) return { findings: [ctx.report("warn", "not-initialised", { file: stored.file }, { cause: "vault_not_initialized", details: where })] };
    if (stored.sealType && stored.sealType !== "azurekeyvault") {
      return { findings: [ctx.report("fail", "seal-type-differs", { stored: stored.sealType }, { cause: "seal_migration_error", details: { ...where, stored_seal_type: stored.sealType } })] };
    }
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const version = stored.barrierKeys.keyInfo?.keyId ?? "";
    const name = cfg.keyName;
    const details: Record<string, FindingValue> = { ...where, stored_seal_type: stored.sealType ?? null, wrapping_version: version, recovery_wrapping_version: stored.recoveryKey?.keyInfo?.keyId ?? null, vault_name: cfg.vaultName, key_name: name };
    // Key Vault versions are 32 hex digits; anything else is not this wrapper's key id (fail closed: no call).
    if (!/^[0-9a-f]{32}$/i.test(version)) return { findings: [ctx.report("error", "failed", { version: version || "(none)", name, error: "the stored key id is not a Key Vault key version" }, { details })] };
    const { callOptions, errorText, openCredential, openKeyClient, viewAzureError } = await import("../../src/azure/session.js");
    const credential = await openCredential(ctx, creds.choice);
    const client = await openKeyClient(ctx, cfg, credential);
    const enableFix = {
      summary: `Enable version ${version} again until Vault has unsealed once: it then re-wraps the stored keys with the latest version.`,
      commands: [`az keyvault key set-attributes --vault-name ${shq(cfg.vaultName)} --name ${shq(name)} --version ${shq(version)} --enabled true`],
    };
    try {
      const key = await client.getKey(name, { version, ...callOptions(ctx, 3) });
      if (key.properties.enabled === false) return { findings: [ctx.report("fail", "version-disabled", { version, name }, { cause: "key_disabled", details, fix: enableFix })] };
      return { findings: [ctx.report("pass", "ok", { version, name }, { details })] };
    } catch (err) {
      const view = viewAzureError(err);
      if (view.status === 403 && /disabled/i.test(`${view.innerCode ?? ""} ${view.message}`)) {
        return { findings: [ctx.report("fail", "version-disabled", { version, name }, { cause: "key_disabled", details, fix: enableFix })] };
      }
      if (view.status === 404) return { findings: [ctx.report("fail", "version-missing", { version, name, vault: cfg.vaultName }, { cause: "key_not_found", details })] };
      return { findings: [ctx.report("error", "failed", { version, name, error: errorText(view) }, { cause: view.cause, details: { ...details, http_status: view.status ?? null } })] };
    }
  },
});
