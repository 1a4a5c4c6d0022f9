// Azure Key Vault (`seal "azurekeyvault"`): settings only for now; live checks come with their own issue.
// Settings: go-kms-wrapping wrappers/azurekeyvault/azurekeyvault.go SetConfig; the environment overlay:
// vault internalshared/configutil/env_var_util.go (AzureEnvVars).
import { defineSeal } from "./types.js";

export default defineSeal({
  type: "azurekeyvault",
  title: "Azure Key Vault",
  settings: [
    { name: "tenant_id" },
    { name: "client_id" },
    { name: "client_secret", secret: true },
    { name: "environment" },
    { name: "resource" },
    { name: "vault_name", requiredText: "vault name is required", identifiesKey: true },
    { name: "key_name", requiredText: "key name is required", identifiesKey: true },
  ],
  aliases: { keyvault_name: "vault_name", key_vault_name: "vault_name", tenant: "tenant_id" },
  env: {
    vars: [
      ["AZURE_TENANT_ID", "tenant_id"],
      ["AZURE_CLIENT_ID", "client_id"],
      ["AZURE_CLIENT_SECRET", "client_secret"],
      ["AZURE_ENVIRONMENT", "environment"],
      ["AZURE_AD_RESOURCE", "resource"],
      ["VAULT_AZUREKEYVAULT_VAULT_NAME", "vault_name"],
      ["VAULT_AZUREKEYVAULT_KEY_NAME", "key_name"],
    ],
  },
  secretEnvVars: ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD"],
  flags: [],
  providerHint: /vault\.azure|Azure Key Vault|azurekeyvault|AADSTS|login\.microsoftonline/,
  checks: [],
});
