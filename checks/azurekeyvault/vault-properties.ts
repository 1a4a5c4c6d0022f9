// The vault's own properties, read-only, from Azure Resource Manager (@azure/arm-keyvault vaults.listBySubscription
// in AZURE_SUBSCRIPTION_ID; Microsoft.KeyVault/vaults, REST reference "Vaults - List By Subscription"): the
// permission model (enableRbacAuthorization: RBAC role assignments, else access policies), soft delete and purge
// protection (without them a deleted or purged key is Vault's data lost for good), and network rules
// (publicNetworkAccess, networkAcls.defaultAction Deny, private endpoints) that decide whether Vault's host may
// reach the vault at all. Vault itself never reads these: the check is advisory, and `error` when it cannot look.
import { defineCheck, type Finding } from "../../src/check.js";
import { shq } from "../../src/shell.js";
import { AZUREKEYVAULT_DOCS, callOptions, errorText, openArmClient, openCredential, viewAzureError, type AzureVaultFacts } from "../../src/azure/session.js";

/** Pages of vaults read at most (a subscription with more than this many vaults is not searched further). */
const MAX_VAULTS = 2_000;

export default defineCheck({
  id: "azurekeyvault.vault-properties",
  title: "Vault properties (Resource Manager, read-only)",
  scope: "seal",
  advisory: true,
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  messages: {
    "found": "Key vault {id}: permission model {model}, soft delete {softDelete}, purge protection {purgeProtection}, public network access {publicAccess}.",
    "purge-protection-off": "Purge protection is off on {vault}: anyone with purge rights can destroy the key for good, and with it every Vault unseal. Turning it on cannot be undone.",
    "soft-delete-off": "Soft delete is off on {vault}: a deleted key cannot be recovered.",
    "public-access-disabled": "Public network access to {vault} is disabled{endpoints}: Vault must reach it through a private endpoint and resolve {vaultUrl} to its private address.",
    "firewall": "The firewall of {vault} denies by default (allowed: {allowed}; bypass {bypass}): Vault's outbound address or subnet must be among them.",
    "no-subscription": "AZURE_SUBSCRIPTION_ID is not set: the doctor cannot find {vault} in Resource Manager to read its permission model, soft delete, purge protection and network rules.",
    "not-found": "No key vault named {vault} in subscription {subscription} (read {count} vaults).",
    "not-permitted": "Resource Manager refused to list the key vaults of subscription {subscription} to {principal}: {error}",
    "failed": "Reading the vault's properties failed: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const subscription = ctx.env.AZURE_SUBSCRIPTION_ID;
    const vault = cfg.vaultName;
    if (!subscription) {
      return { findings: [ctx.report("error", "no-subscription", { vault }, {
        fix: { summary: "Tell the doctor the vault's subscription, or read the properties yourself.", commands: [`export AZURE_SUBSCRIPTION_ID=$(az keyvault show --name ${shq(vault)} --query id -o tsv | cut -d/ -f3)`, `az keyvault show --name ${shq(vault)} --query "properties.{rbac:enableRbacAuthorization,softDelete:enableSoftDelete,purgeProtection:enablePurgeProtection,publicNetworkAccess:publicNetworkAccess,networkAcls:networkAcls}"`] },
      })] };
    }
    const credential = await openCredential(ctx, creds.choice);
    const client = await openArmClient(ctx, cfg, credential, subscription);
    let found;
    let count = 0;
    try {
      for await (const v of client.vaults.listBySubscription(callOptions(ctx, 3))) {
        count++;
        if (v.name?.toLowerCase() === vault.toLowerCase()) {
          found = v;
          break;
        }
        if (count >= MAX_VAULTS) break;
      }
    } catch (err) {
      const view = viewAzureError(err);
      if (view.status === 403 || view.code === "AuthorizationFailed") {
        return { findings: [ctx.report("error", "not-permitted", { subscription, principal: creds.objectId ?? creds.label, error: errorText(view) }, {
          doctorPermission: "Microsoft.KeyVault/vaults/read",
          fix: { summary: "Run the doctor as an identity with Reader on the vault (or its resource group), or read the properties with az.", commands: [`az keyvault show --name ${shq(vault)} --query properties`] },
        })] };
      }
      return { findings: [ctx.report("error", "failed", { error: errorText(view) }, { cause: view.cause })] };
    }
    if (!found?.id) {
      return { findings: [ctx.report("error", "not-found", { vault, subscription, count }, { fix: { summary: "Set AZURE_SUBSCRIPTION_ID to the vault's subscription.", commands: [`az keyvault show --name ${shq(vault)} --query id -o tsv`] } })] };
    }
    const p = found.properties;
    const rbac = p.enableRbacAuthorization === true;
    const softDelete = p.enableSoftDelete !== false;
    const purgeProtection = p.enablePurgeProtection === true;
    const publicAccess = p.publicNetworkAccess ?? "Enabled";
    const keyPermissions: Record<string, string[]> = {};
    for (const a of p.accessPolicies ?? []) keyPermissions[a.objectId] = (a.permissions?.keys ?? []).map(String);
    const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(found.id)?.[1];
    const facts: AzureVaultFacts = { id: found.id, resourceGroup, rbac, keyPermissions, location: found.location };
    const findings: Finding[] = [ctx.report("pass", "found", { id: found.id, model: rbac ? "Azure RBAC" : "access policies", softDelete: softDelete ? "on" : "off", purgeProtection: purgeProtection ? "on" : "off", publicAccess }, {
      details: { id: found.id, rbac, soft_delete: softDelete, soft_delete_retention_days: p.softDeleteRetentionInDays ?? null, purge_protection: purgeProtection, public_network_access: publicAccess, default_action: p.networkAcls?.defaultAction ?? null },
    })];
    const rg = resourceGroup ?? "<RESOURCE_GROUP>";
    if (!softDelete) {
      findings.push(ctx.report("warn", "soft-delete-off", { vault }, { fix: { summary: "Turn soft delete on (it cannot be turned off again).", commands: [`az keyvault update --name ${shq(vault)} --resource-group ${shq(rg)} --enable-soft-delete true`] } }));
    }
    if (!purgeProtection) {
      findings.push(ctx.report("warn", "purge-protection-off", { vault }, { fix: { summary: "Turn purge protection on (irreversible; it needs soft delete).", commands: [`az keyvault update --name ${shq(vault)} --resource-group ${shq(rg)} --enable-purge-protection true`] } }));
    }
    const endpoints = p.privateEndpointConnections?.length ?? 0;
    if (publicAccess.toLowerCase() === "disabled") {
      findings.push(ctx.report("warn", "public-access-disabled", { vault, vaultUrl: cfg.vaultUrl, endpoints: endpoints ? ` (${endpoints} private endpoint connection${endpoints > 1 ? "s" : ""})` : " and it has no private endpoint" }, {
        fix: { summary: "From Vault's host the vault name must resolve to the private endpoint's address.", commands: [`nslookup ${shq(new URL(cfg.vaultUrl).host)}`] },
      }));
    } else if (p.networkAcls?.defaultAction === "Deny") {
      const allowed = [...(p.networkAcls.ipRules ?? []).map((r) => r.value), ...(p.networkAcls.virtualNetworkRules ?? []).map((r) => r.id.split("/").slice(-3).join("/"))];
      findings.push(ctx.report("warn", "firewall", { vault, allowed: allowed.join(", ") || "nothing", bypass: p.networkAcls.bypass ?? "None" }, {
        details: { ip_rules: (p.networkAcls.ipRules ?? []).map((r) => r.value), virtual_network_rules: (p.networkAcls.virtualNetworkRules ?? []).map((r) => r.id) },
        fix: { summary: "Allow Vault's outbound address (or its subnet) through the vault firewall.", commands: [`az keyvault network-rule add --name ${shq(vault)} --resource-group ${shq(rg)} --ip-address <VAULT_OUTBOUND_IP>/32`], docs: AZUREKEYVAULT_DOCS },
      }));
    }
    return { findings, facts };
  },
});
