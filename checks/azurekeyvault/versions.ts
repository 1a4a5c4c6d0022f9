// Every version of the key (Key Vault "Get Key Versions"): Vault's Decrypt unwraps with the version recorded next
// to each blob (go-kms-wrapping wrappers/azurekeyvault Decrypt: UnwrapKey(keyName, in.KeyInfo.KeyId)), so after a
// rotation an older version that is disabled (or expired past use) still holds Vault's root key until Vault
// re-wraps it: disabling it breaks the next unseal. Listing needs the `list` key permission, which Vault itself
// does not use: without it this advisory check reports `error`, never a pass.
import { defineCheck, type Finding } from "../../src/check.js";
import { shq } from "../../src/shell.js";
import { callOptions, errorText, openCredential, openKeyClient, viewAzureError } from "../../src/azure/session.js";

const MAX_VERSIONS = 500;

export default defineCheck({
  id: "azurekeyvault.versions",
  title: "Key versions (older versions still unwrap)",
  scope: "seal",
  advisory: true,
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  uses: ["azurekeyvault.key"],
  messages: {
    "all-enabled": "All {count} versions of {name} are enabled; the latest is {latest}.",
    "older-disabled": "Version {version} of {name} is disabled: whatever Vault wrapped with it (its root key, until Vault re-wraps after the rotation) can no longer be unwrapped, so the next unseal may fail.",
    "not-listed": "The versions of {name} could not be listed: {error}",
    "no-key": "The key does not exist: no versions to look at.",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const key = ctx.fact("azurekeyvault.key");
    if (key && !key.found) return { findings: [ctx.report("skip", "no-key")] };
    const credential = await openCredential(ctx, creds.choice);
    const client = await openKeyClient(ctx, cfg, credential);
    const versions: { version: string; enabled: boolean; created?: Date }[] = [];
    try {
      for await (const p of client.listPropertiesOfKeyVersions(cfg.keyName, callOptions(ctx, 3))) {
        versions.push({ version: p.version ?? "?", enabled: p.enabled !== false, created: p.createdOn });
        if (versions.length >= MAX_VERSIONS) break;
      }
    } catch (err) {
      const view = viewAzureError(err);
      return { findings: [ctx.report("error", "not-listed", { name: cfg.keyName, error: errorText(view) }, { doctorPermission: "keys/list", cause: view.cause })] };
    }
    const findings: Finding[] = [];
    // The latest version is what GetKey and WrapKey use (azurekeyvault.key reports its state); older ones are here.
    const latest = key?.version ?? [...versions].sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0)).pop()?.version ?? "?";
    for (const v of versions.filter((x) => !x.enabled && x.version !== latest)) {
      findings.push(ctx.report("warn", "older-disabled", { version: v.version, name: cfg.keyName }, {
        cause: "key_disabled",
        details: { version: v.version, created: v.created?.toISOString() ?? null },
        fix: { summary: "Enable the version again until Vault has re-wrapped its root key with the latest one (Vault re-wraps seal-wrapped values after a restart with the new version).", commands: [`az keyvault key set-attributes --vault-name ${shq(cfg.vaultName)} --name ${shq(cfg.keyName)} --version ${shq(v.version)} --enabled true`] },
      }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "all-enabled", { count: versions.length, name: cfg.keyName, latest }));
    return { findings };
  },
});
