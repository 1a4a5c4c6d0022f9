// What the azurekeyvault wrapper derives from `environment` and `resource`, and where the doctor's own calls go.
//
// environment: go-autorest autorest/azure/environments.go EnvironmentFromName upper-cases the name and looks it up
// (AZURESTACKCLOUD instead loads the file named by AZURE_ENVIRONMENT_FILEPATH); anything else fails with
// `autorest/azure: There is no cloud environment matching the name "X"`. The wrapper uses only KeyVaultDNSSuffix, and
// `resource` (AZURE_AD_RESOURCE) replaces it: vault URL = https://<vault_name>.<resource or suffix>/
// (go-kms-wrapping wrappers/azurekeyvault azurekeyvault.go SetConfig + buildBaseURL, both forks).
// The Entra ID authority is NOT derived from environment: azidentity uses AZURE_AUTHORITY_HOST or
// login.microsoftonline.com, so a sovereign-cloud Vault also needs AZURE_AUTHORITY_HOST.

export interface AzureCloud {
  /** go-autorest's Environment.Name. */
  name: string;
  keyVaultDnsSuffix: string;
  /** Resource Manager, for the vault's own properties (read-only). */
  armEndpoint: string;
  /** Microsoft Entra ID authority host of that cloud. */
  authorityHost: string;
}

const PUBLIC: AzureCloud = { name: "AzurePublicCloud", keyVaultDnsSuffix: "vault.azure.net", armEndpoint: "https://management.azure.com", authorityHost: "https://login.microsoftonline.com" };
const CHINA: AzureCloud = { name: "AzureChinaCloud", keyVaultDnsSuffix: "vault.azure.cn", armEndpoint: "https://management.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn" };
const USGOV: AzureCloud = { name: "AzureUSGovernmentCloud", keyVaultDnsSuffix: "vault.usgovcloudapi.net", armEndpoint: "https://management.usgovcloudapi.net", authorityHost: "https://login.microsoftonline.us" };
const GERMAN: AzureCloud = { name: "AzureGermanCloud", keyVaultDnsSuffix: "vault.microsoftazure.de", armEndpoint: "https://management.microsoftazure.de", authorityHost: "https://login.microsoftonline.de" };

/** go-autorest v14.2.0 environments map keys. */
const BY_NAME: Record<string, AzureCloud> = {
  AZURECHINACLOUD: CHINA,
  AZUREGERMANCLOUD: GERMAN,
  AZURECLOUD: PUBLIC,
  AZUREPUBLICCLOUD: PUBLIC,
  AZUREUSGOVERNMENT: USGOV,
  AZUREUSGOVERNMENTCLOUD: USGOV,
};

export const KNOWN_ENVIRONMENTS = ["AzurePublicCloud", "AzureUSGovernmentCloud", "AzureChinaCloud", "AzureGermanCloud"];

/** The cloud for an environment name as the wrapper resolves it; undefined when Vault would fail. Empty = public. */
export function cloudFromName(name: string | undefined): AzureCloud | undefined {
  if (!name) return PUBLIC;
  return BY_NAME[name.toUpperCase()];
}

/** The vault URL the wrapper builds (buildBaseURL). */
export function vaultUrlOf(vaultName: string, dnsSuffix: string): string {
  return `https://${vaultName}.${dnsSuffix}/`;
}

/** Key Vault names: 3-24 characters, letters, digits and hyphens, starting with a letter, no "--", not ending in "-". */
export function isValidVaultName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(name) && !name.includes("--");
}

/** Key names: 1-127 characters, letters, digits and hyphens. */
export function isValidKeyName(name: string): boolean {
  return /^[A-Za-z0-9-]{1,127}$/.test(name);
}

/** The authority hosts Microsoft runs; MSAL's instance discovery is only meaningful against these. */
export const MICROSOFT_AUTHORITY_HOSTS = [PUBLIC, CHINA, USGOV, GERMAN].map((c) => new URL(c.authorityHost).host);

/** The audience a Key Vault token is for: the challenge's resource; the public and sovereign clouds' well-known ids. */
export function keyVaultScope(dnsSuffix: string): string {
  return `https://${dnsSuffix}/.default`;
}
