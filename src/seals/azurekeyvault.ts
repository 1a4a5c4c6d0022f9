// Azure Key Vault (`seal "azurekeyvault"`).
//
// Read from the wrappers the two servers pin:
// - OpenBao 2.6: openbao/openbao v2.6.2 go.mod pins openbao/go-kms-wrapping/wrappers/azurekeyvault/v2 v2.4.0
//   (tag wrappers/azurekeyvault/v2.4.0, commit af8b1885), azidentity v1.6.0, azkeys v0.10.0.
// - HashiCorp Vault: hashicorp/go-kms-wrapping wrappers/azurekeyvault v2.0.15 (commit b8e7991e), azidentity v1.8.1,
//   azkeys v0.10.0; the environment overlay: vault internalshared/configutil/env_var_util.go (AzureEnvVars).
// What both wrappers do (wrappers/azurekeyvault/azurekeyvault.go):
// - SetConfig reads every value environment first, then the stanza: AZURE_TENANT_ID, AZURE_CLIENT_ID,
//   AZURE_CLIENT_SECRET, AZURE_ENVIRONMENT, AZURE_AD_RESOURCE; vault name AZUREKEYVAULT_WRAPPER_VAULT_NAME, then
//   VAULT_AZUREKEYVAULT_VAULT_NAME, then vault_name ("vault name is required"); key name likewise
//   ("key name is required" unless key_not_required).
// - environment goes through go-autorest azure.EnvironmentFromName (AzurePublicCloud when empty); its only use is
//   KeyVaultDNSSuffix. resource (AZURE_AD_RESOURCE) REPLACES that suffix: the vault URL is
//   https://<vault_name>.<resource or suffix>/ (buildBaseURL), so resource is a DNS suffix such as vault.azure.net,
//   never a URL. Neither setting changes the Entra ID authority (azidentity: AZURE_AUTHORITY_HOST, default
//   login.microsoftonline.com).
// - Startup: GetKey(key_name, latest) unless key_not_required ("error fetching Azure Key Vault wrapper key
//   information: ..."). Encrypt: AES-GCM envelope, its 32-byte key wrapped by WrapKey RSA-OAEP-256 with NO version
//   (the latest); the version from the answer's kid is stored with the blob. Decrypt: UnwrapKey RSA-OAEP-256 with the
//   RECORDED version: an older version disabled after a rotation breaks the next unseal.
// - Credential (OpenBao v2.4.0 getAutomaticCredential; auth_method / VAULT_AZUREKEYVAULT_AUTH_METHOD picks one
//   explicitly): tenant+client id+secret -> ClientSecretCredential; else client id -> ManagedIdentityCredential
//   (user-assigned by client id, or by resource_id with managed_id_kind = resource_id); else
//   DefaultAzureCredential(TenantID) ("tenant id is required for default azure credential authentication").
//   HashiCorp v2.0.15 getKeyVaultClient: tenant+client id+secret -> ClientSecretCredential; else
//   DefaultAzureCredential, with AZURE_CLIENT_ID set to client_id while it is built.
import { defineSeal } from "./types.js";

/** Variables the wrappers themselves read, environment first (both SetConfig functions above). */
const WRAPPER_VARS = [
  ["AZURE_TENANT_ID", "tenant_id"],
  ["AZURE_CLIENT_ID", "client_id"],
  ["AZURE_CLIENT_SECRET", "client_secret"],
  ["AZURE_ENVIRONMENT", "environment"],
  ["AZURE_AD_RESOURCE", "resource"],
  ["AZUREKEYVAULT_WRAPPER_VAULT_NAME", "vault_name"],
  ["VAULT_AZUREKEYVAULT_VAULT_NAME", "vault_name"],
  ["AZUREKEYVAULT_WRAPPER_KEY_NAME", "key_name"],
  ["VAULT_AZUREKEYVAULT_KEY_NAME", "key_name"],
] as const;

/** OpenBao v2.4.0 only: the credential selection settings and their variables (EnvVaultAzureKeyVault* constants). */
const OPENBAO_AUTH_VARS = [
  ["VAULT_AZUREKEYVAULT_AUTH_METHOD", "auth_method"],
  ["VAULT_AZUREKEYVAULT_CERTIFICATE_PATH", "cert_path"],
  ["VAULT_AZUREKEYVAULT_CERTIFICATE_PASSWORD", "cert_password"],
  ["VAULT_AZUREKEYVAULT_MANAGED_IDENTITY_KIND", "managed_id_kind"],
  ["VAULT_AZUREKEYVAULT_RESOURCE_ID", "resource_id"],
] as const;

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
    { name: "key_not_required", kind: "bool" },
    // OpenBao 2.6 only (openbao/go-kms-wrapping wrappers/azurekeyvault v2.4.0 options.go getOpts).
    { name: "auth_method" },
    { name: "cert_path" },
    { name: "cert_password", secret: true },
    { name: "managed_id_kind" },
    { name: "resource_id" },
  ],
  aliases: {
    keyvault_name: "vault_name",
    key_vault_name: "vault_name",
    vault: "vault_name",
    tenant: "tenant_id",
    client_secret_value: "client_secret",
    certificate_path: "cert_path",
    certificate_password: "cert_password",
    managed_identity_kind: "managed_id_kind",
  },
  env: {
    vars: WRAPPER_VARS,
    ordered: ["vault_name", "key_name"],
  },
  envFor: {
    openbao: { vars: [...WRAPPER_VARS, ...OPENBAO_AUTH_VARS], ordered: ["vault_name", "key_name"] },
  },
  secretEnvVars: ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "VAULT_AZUREKEYVAULT_CERTIFICATE_PASSWORD"],
  flags: [
    { flag: "vault-name", setting: "vault_name", describe: "azurekeyvault: vault_name" },
    { flag: "key-name", setting: "key_name", describe: "azurekeyvault: key_name" },
  ],
  providerHint: /vault\.azure|Azure Key Vault|azurekeyvault|AADSTS|login\.microsoftonline/,
  checks: [
    "azurekeyvault.config",
    "azurekeyvault.credential",
    "azurekeyvault.vault-properties",
    "azurekeyvault.key",
    "azurekeyvault.versions",
    "azurekeyvault.permissions",
    "azurekeyvault.round-trip",
    "azurekeyvault.old-seal-unwrap",
  ],
});
