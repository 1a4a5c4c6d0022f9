// azurekeyvault seal: Key Vault and Microsoft Entra ID errors as Vault prints them (older Vault:
// azure.BearerAuthorizer/adal; newer: azidentity ClientSecretCredential/ManagedIdentityCredential).
// Vault needs keys get, wrapKey, unwrapKey (go-kms-wrapping wrappers/azurekeyvault/azurekeyvault.go).
import type { Fix } from "../../model.js";
import { defineRules, valueOr, type Entities } from "../rule.js";

function grantKeyAccess(e: Entities): Fix {
  const vault = valueOr(e, "vaultName", "<KEY_VAULT_NAME>");
  const principal = valueOr(e, "objectId", "<OBJECT_ID>");
  return {
    summary: "Allow Vault's identity to get, wrapKey and unwrapKey the seal key: with access policies via set-policy, with Azure RBAC via the Key Vault Crypto Service Encryption User role.",
    commands: [
      `az keyvault set-policy --name ${vault} --object-id ${principal} --key-permissions get wrapKey unwrapKey`,
      `az role assignment create --assignee-object-id ${principal} --role "Key Vault Crypto Service Encryption User" --scope $(az keyvault show --name ${vault} --query id -o tsv)/keys/${valueOr(e, "keyName", "<KEY_NAME>")}`,
    ],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/azurekeyvault",
  };
}

export const azureRules = defineRules([
  {
    id: "azure.key_permission_denied",
    cause: "permission_denied",
    providers: ["azurekeyvault"],
    title: "The Azure identity may not use the Key Vault key",
    explanation: "Key Vault answered 403 Forbidden: the access policy or RBAC role assignment for this identity lacks a key permission Vault needs (get, wrapKey, unwrapKey).",
    errorNames: ["Forbidden", "ForbiddenByPolicy", "ForbiddenByRbac", "AccessDenied"],
    patterns: [
      /does not have keys \w{1,20} permission on key vault/,
      /ForbiddenByRbac/,
      /ForbiddenByPolicy/,
      /Caller is not authorized to perform action on resource/,
    ],
    score: 86,
    fix: grantKeyAccess,
    sources: ["https://github.com/MicrosoftDocs/azure-docs/issues/57072", "https://github.com/Azure/bicep/issues/6539"],
  },
  {
    id: "azure.key_not_found",
    cause: "key_not_found",
    providers: ["azurekeyvault"],
    title: "The Key Vault key does not exist",
    explanation: "No key with this name (or version) in the vault: wrong key_name, deleted key, or the wrong vault_name.",
    errorNames: ["KeyNotFound"],
    patterns: [/A key with \(name\/id\) [^\n]{1,200} was not found in this key vault/, /\bKeyNotFound\b/],
    score: 88,
    fix: (e) => ({
      summary: "Check vault_name and key_name; recover the key if it was soft-deleted.",
      commands: [
        `az keyvault key list --vault-name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")} --query "[].name"`,
        `az keyvault key list-deleted --vault-name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")}`,
      ],
    }),
    sources: ["https://github.com/Azure/azure-sdk-for-js (sdk/keyvault/keyvault-keys recordings: KeyNotFound)"],
  },
  {
    id: "azure.vault_name_unresolvable",
    cause: "key_not_found",
    providers: ["azurekeyvault"],
    title: "The Key Vault name does not resolve",
    explanation: "DNS has no <vault_name>.vault.azure.net: the vault name (or environment / private DNS zone) is wrong, or the vault was deleted.",
    patterns: [/lookup [A-Za-z0-9-]{1,64}\.vault\.azure\.(?:net|cn|us)[^\n]{0,80}no such host/, /lookup [A-Za-z0-9-]{1,64}\.privatelink\.vaultcore\.azure\.net[^\n]{0,80}no such host/],
    score: 90,
    fix: (e) => ({
      summary: "Use the exact vault name (and AZURE_ENVIRONMENT for sovereign clouds); with private endpoints make sure the privatelink DNS zone is linked.",
      commands: [`az keyvault show --name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")} --query properties.vaultUri`],
    }),
    sources: ["https://github.com/hashicorp/vault-helm/issues/801"],
  },
  {
    id: "azure.key_disabled",
    cause: "key_disabled",
    providers: ["azurekeyvault"],
    title: "The Key Vault key is disabled",
    explanation: "Key Vault refuses every operation on a disabled key (version).",
    errorNames: ["KeyDisabled"],
    patterns: [/Operation \w{0,20} ?is not allowed on a disabled key/i, /\bKeyDisabled\b/],
    score: 92,
    fix: (e) => ({
      summary: "Enable the key (and the version that wrapped Vault's data).",
      commands: [`az keyvault key set-attributes --vault-name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")} --name ${valueOr(e, "keyName", "<KEY_NAME>")} --enabled true`],
    }),
    sources: ["https://learn.microsoft.com/en-us/rest/api/keyvault/keys/unwrap-key/unwrap-key (error: KeyDisabled)"],
  },
  {
    id: "azure.invalid_client_secret",
    cause: "invalid_credentials",
    providers: ["azurekeyvault"],
    title: "Microsoft Entra ID rejected the client credentials",
    explanation: "The client secret is wrong, the app registration (client_id) does not exist in this tenant, or tenant_id is wrong.",
    patterns: [/AADSTS7000215/, /AADSTS700016/, /Invalid client secret provided/, /ClientSecretCredential authentication failed/],
    unless: [/AADSTS7000222/, /AADSTS900?02[^0-9]/, /AADSTS900023/, /AADSTS53003/],
    score: 88,
    fix: (e) => ({
      summary: "Check tenant_id/client_id and create a new client secret for the app registration (AZURE_CLIENT_SECRET / client_secret).",
      commands: [`az ad app credential reset --id ${valueOr(e, "appId", "<CLIENT_ID>")} --append`],
    }),
    sources: ["https://github.com/hashicorp/vault/issues/29503"],
  },
  {
    // OpenBao 2.6 (azidentity ClientSecretCredential → MSAL for Go) asks the tenant's OpenID configuration first and
    // prints Entra ID's body: "ClientSecretCredential: unable to resolve an endpoint: http call(https://login.
    // microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration)(GET) error: reply status code was 400:
    // {"error":"invalid_tenant","error_description":"AADSTS90002: Tenant '<tenant>' not found. …"}"
    // (fixtures/logs/openbao-2.6-azurekeyvault.jsonl). AADSTS90002 / 900023: Entra ID authentication error codes.
    id: "azure.wrong_tenant",
    cause: "wrong_tenant",
    providers: ["azurekeyvault"],
    title: "Microsoft Entra ID does not know the tenant",
    explanation: "tenant_id (or AZURE_TENANT_ID) names no tenant Entra ID knows (AADSTS90002) or is not a valid tenant identifier (AADSTS900023): the credential cannot even find its token endpoint.",
    // AKV10032: Key Vault took a token from another tenant than the vault's (the credential's tenant_id is not the
    // vault's): "Invalid issuer. Expected one of https://sts.windows.net/<vault tenant>/, found https://sts.windows.net/<token tenant>/".
    patterns: [/AADSTS90002[^0-9]/, /AADSTS900023/, /"error"\s*:\s*"invalid_tenant"/, /AKV10032: Invalid issuer\. Expected one of/],
    score: 92,
    fix: (e) => ({
      summary: "Set tenant_id to the directory (tenant) id the vault belongs to.",
      commands: [`az keyvault show --name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")} --query properties.tenantId -o tsv`],
    }),
    sources: ["https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes", "https://github.com/Azure/azure-sdk-for-js/issues/12539", "https://github.com/MicrosoftDocs/azure-docs/issues/75410"],
  },
  {
    id: "azure.conditional_access",
    cause: "permission_denied",
    providers: ["azurekeyvault"],
    title: "Conditional Access blocks the app's sign-in",
    explanation: "AADSTS53003: a Conditional Access policy of the tenant does not allow this service principal to get tokens (from where Vault runs); the secret itself is fine.",
    patterns: [/AADSTS53003/],
    score: 92,
    fix: (e) => ({
      summary: "Exclude the app's service principal from the blocking Conditional Access policy (or allow Vault's network location / use a workload identity the policy allows); the sign-in logs name the policy.",
      commands: [`az ad sp show --id ${valueOr(e, "appId", "<CLIENT_ID>")} --query id -o tsv`],
    }),
    sources: ["https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (AADSTS53003 BlockedByConditionalAccess)"],
  },
  {
    id: "azure.expired_client_secret",
    cause: "expired_credentials",
    providers: ["azurekeyvault"],
    title: "The Entra ID client secret has expired",
    explanation: "AADSTS7000222: the client secret passed its end date.",
    patterns: [/AADSTS7000222/],
    score: 92,
    fix: (e) => ({ summary: "Create a new client secret and update Vault's configuration.", commands: [`az ad app credential reset --id ${valueOr(e, "appId", "<CLIENT_ID>")} --append`] }),
    sources: ["https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"],
  },
  {
    id: "azure.wrong_resource",
    cause: "seal_config_error",
    providers: ["azurekeyvault"],
    title: "The seal's resource (token audience) is wrong",
    explanation: "AADSTS500011: Entra ID has no resource with the name Vault asked a token for. With private endpoints the resource must stay vault.azure.net; only the vault's DNS changes.",
    patterns: [/AADSTS500011/],
    score: 92,
    fix: () => ({ summary: "Remove resource (or AZURE_AD_RESOURCE) from the seal stanza, or set it to vault.azure.net (the public audience, also for private endpoints).", commands: [] }),
    sources: ["https://github.com/hashicorp/vault-helm/issues/801"],
  },
  {
    id: "azure.managed_identity",
    cause: "managed_identity_error",
    providers: ["azurekeyvault"],
    title: "Managed identity token could not be obtained",
    explanation: "Without client_secret Vault uses a managed identity from IMDS; none is assigned to this VM/pod, the client_id names an identity that is not attached, or several user-assigned identities exist and none was chosen.",
    patterns: [/ManagedIdentityCredential/, /failed to acquire managed identity credentials/, /"Identity not found"|Identity not found/, /no managed identity endpoint found/],
    score: 86,
    fix: () => ({
      summary: "Assign the identity to the VM/VMSS (or use AKS Workload Identity) and set client_id to that identity when more than one is attached.",
      commands: ["az vm identity show --name <VM> --resource-group <RESOURCE_GROUP>", "az vm identity assign --name <VM> --resource-group <RESOURCE_GROUP> --identities <IDENTITY_RESOURCE_ID>"],
    }),
    sources: ["https://github.com/bank-vaults/bank-vaults/issues/1201", "https://github.com/hashicorp/vault/issues/7115"],
  },
  {
    id: "azure.missing_config",
    cause: "seal_config_error",
    providers: ["azurekeyvault"],
    title: "The azurekeyvault seal stanza is incomplete",
    explanation: "vault_name and key_name are required (stanza or VAULT_AZUREKEYVAULT_VAULT_NAME / VAULT_AZUREKEYVAULT_KEY_NAME).",
    patterns: [/\bvault name is required/, /\bkey name is required/],
    score: 90,
    fix: () => ({ summary: "Add vault_name and key_name to the seal \"azurekeyvault\" stanza.", commands: [] }),
    sources: ["https://github.com/linode/apl-core/issues/845", "https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/azurekeyvault/azurekeyvault.go"],
  },
  {
    id: "azure.firewall_denied",
    cause: "network_denied",
    providers: ["azurekeyvault"],
    title: "The Key Vault firewall refuses Vault's address",
    explanation: "Key Vault answered 403 ForbiddenByFirewall: the vault's network rules (default action Deny) do not include the address Vault connects from, and Vault is not a trusted service. The permissions are not the problem.",
    errorNames: ["ForbiddenByFirewall"],
    patterns: [/Client address is not authorized and caller is not a trusted service/, /ForbiddenByFirewall/],
    score: 93,
    fix: (e) => ({
      summary: "Allow Vault's outbound address (or its subnet) in the vault's firewall, or reach the vault through a private endpoint.",
      commands: [`az keyvault network-rule add --name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")} --ip-address <VAULT_OUTBOUND_IP>/32`, `az keyvault show --name ${valueOr(e, "vaultName", "<KEY_VAULT_NAME>")} --query properties.networkAcls`],
    }),
    sources: ["https://github.com/microsoft/azure-container-apps/issues/888", "https://github.com/MicrosoftDocs/azure-devops-docs/issues/8581"],
  },
  {
    id: "azure.federated_mismatch",
    cause: "federated_identity_mismatch",
    providers: ["azurekeyvault"],
    title: "The federated credential does not match the workload's token",
    explanation: "Entra ID found no federated identity credential on the app (or user-assigned identity) whose issuer, subject and audience match the presented token: with AKS workload identity the subject must be system:serviceaccount:<namespace>:<service account> of Vault's pod, case-sensitive.",
    patterns: [/AADSTS70021\b/, /AADSTS7002(?:11|12|13|137|138)\b/, /No matching federated identity record found/],
    score: 92,
    fix: (e) => ({
      summary: "Create (or correct) the federated credential for the cluster's OIDC issuer and Vault's service account.",
      commands: [`az identity federated-credential list --identity-name <IDENTITY> --resource-group <RESOURCE_GROUP>`, `az identity federated-credential create --name vault --identity-name <IDENTITY> --resource-group <RESOURCE_GROUP> --issuer "$(az aks show --name <CLUSTER> --resource-group <RESOURCE_GROUP> --query oidcIssuerProfile.issuerUrl -o tsv)" --subject system:serviceaccount:<NAMESPACE>:<SERVICE_ACCOUNT> --audience api://AzureADTokenExchange`],
    }),
    sources: ["https://github.com/Azure/azure-workload-identity/issues/1200", "https://github.com/Azure/azure-workload-identity/issues/340"],
  },
]);
