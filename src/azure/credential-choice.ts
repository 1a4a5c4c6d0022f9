// Which Entra ID credential Vault's azurekeyvault wrapper builds from the resolved settings, as a pure function
// (no SDK here, so a config-only run never loads @azure/identity).
//
// OpenBao 2.6 (openbao/go-kms-wrapping wrappers/azurekeyvault v2.4.0, azurekeyvault.go getAutomaticCredential,
// mapAuthMethod, getCredential and the get*Credential functions):
//   auth_method (VAULT_AZUREKEYVAULT_AUTH_METHOD first) = managed_identity | client_secret | workload_identity |
//   certificate | environment | default; anything else (or empty) = automatic:
//   tenant_id + client_id + client_secret -> ClientSecretCredential; client_id -> ManagedIdentityCredential
//   (user-assigned: ClientID(client_id), or ResourceID(resource_id) with managed_id_kind = resource_id);
//   otherwise DefaultAzureCredential{TenantID}.
// HashiCorp Vault (hashicorp/go-kms-wrapping wrappers/azurekeyvault v2.0.15, getKeyVaultClient):
//   tenant_id + client_id + client_secret -> ClientSecretCredential; otherwise DefaultAzureCredential, built while
//   AZURE_CLIENT_ID = client_id (so its managed identity / workload identity use that client id).
// azidentity's DefaultAzureCredential tries EnvironmentCredential, WorkloadIdentityCredential (AZURE_FEDERATED_TOKEN_FILE),
// ManagedIdentityCredential, then developer tools (Azure CLI, azd) that a server does not have.
import type { SealConfig } from "../config/seal-config.js";
import type { TargetServer } from "../targets/server-behaviour.js";

export type AzureCredentialKind = "client-secret" | "managed-identity" | "workload-identity" | "certificate" | "environment" | "default";

export interface CredentialChoice {
  kind: AzureCredentialKind;
  /** Why this one: "tenant_id, client_id and client_secret are set", "auth_method = managed_identity". */
  why: string;
  tenantId?: string;
  clientId?: string;
  /** Managed identity: a user-assigned identity by client id or resource id; neither = system-assigned. */
  managedIdentity?: { clientId?: string; resourceId?: string };
  /** Workload identity: the projected token file (AZURE_FEDERATED_TOKEN_FILE). */
  federatedTokenFile?: string;
  certPath?: string;
  /** Vault's own refusal before any network call (e.g. "tenant id is required for ..."). */
  refusal?: string;
}

function v(seal: SealConfig, key: string): string | undefined {
  const x = seal.values[key]?.value;
  return x === undefined || x === "" ? undefined : x;
}

/** go-kms-wrapping (OpenBao) mapAuthMethod: lower-cased, unknown values fall back to automatic. */
const AUTH_METHODS: Record<string, AzureCredentialKind> = {
  managed_identity: "managed-identity",
  client_secret: "client-secret",
  workload_identity: "workload-identity",
  certificate: "certificate",
  environment: "environment",
  default: "default",
};

export function chooseCredential(seal: SealConfig, env: NodeJS.ProcessEnv, server: TargetServer): CredentialChoice {
  const tenantId = v(seal, "tenant_id");
  const clientId = v(seal, "client_id");
  const secret = v(seal, "client_secret");
  const federatedTokenFile = env.AZURE_FEDERATED_TOKEN_FILE || undefined;
  if (server === "vault") {
    if (tenantId && clientId && secret) return { kind: "client-secret", why: "tenant_id, client_id and client_secret are set", tenantId, clientId };
    return defaultChoice(tenantId, clientId, federatedTokenFile, "not all of tenant_id, client_id and client_secret are set: DefaultAzureCredential", false);
  }
  const raw = v(seal, "auth_method");
  const explicit = raw ? AUTH_METHODS[raw.toLowerCase()] : undefined;
  const kindWhy = explicit ? `auth_method = ${raw}` : undefined;
  if (!explicit) {
    if (tenantId && clientId && secret) return { kind: "client-secret", why: "tenant_id, client_id and client_secret are set", tenantId, clientId };
    if (clientId) return managedIdentity(seal, clientId, "client_id is set without a client_secret: managed identity");
    return defaultChoice(tenantId, clientId, federatedTokenFile, "neither client_secret nor client_id is set: DefaultAzureCredential", true);
  }
  switch (explicit) {
    case "client-secret":
      return { kind: "client-secret", why: kindWhy!, tenantId, clientId, refusal: tenantId ? undefined : "tenant id is required for azure client secret authentication" };
    case "managed-identity":
      return managedIdentity(seal, clientId, kindWhy!);
    case "workload-identity":
      // NewWorkloadIdentityCredential gets only TenantID: client id and token file come from AZURE_CLIENT_ID and
      // AZURE_FEDERATED_TOKEN_FILE (azidentity v1.6.0 workload_identity.go).
      return { kind: "workload-identity", why: kindWhy!, tenantId, clientId: env.AZURE_CLIENT_ID || clientId, federatedTokenFile, refusal: tenantId ? undefined : "tenant id is required for azure workload identity authentication" };
    case "certificate":
      return {
        kind: "certificate", why: kindWhy!, tenantId, clientId, certPath: v(seal, "cert_path"),
        refusal: !v(seal, "cert_path") ? "failed to read certificate file : open : no such file or directory" : !clientId ? "client id is required for certificate authentication" : !tenantId ? "tenant id is required for azure certificate authentication" : undefined,
      };
    case "environment":
      return { kind: "environment", why: kindWhy!, tenantId: env.AZURE_TENANT_ID, clientId: env.AZURE_CLIENT_ID };
    default:
      return defaultChoice(tenantId, clientId, federatedTokenFile, kindWhy!, true);
  }
}

function managedIdentity(seal: SealConfig, clientId: string | undefined, why: string): CredentialChoice {
  const kind = v(seal, "managed_id_kind")?.toUpperCase();
  const resourceId = v(seal, "resource_id");
  if (kind === "RESOURCE_ID") {
    return { kind: "managed-identity", why, clientId, managedIdentity: { resourceId }, refusal: resourceId ? undefined : "either client or resource id is required for managed identity authentication" };
  }
  return { kind: "managed-identity", why, clientId, managedIdentity: { clientId }, refusal: clientId ? undefined : "either client or resource id is required for managed identity authentication" };
}

function defaultChoice(tenantId: string | undefined, clientId: string | undefined, federatedTokenFile: string | undefined, why: string, needsTenant: boolean): CredentialChoice {
  return {
    kind: "default", why, tenantId, clientId, federatedTokenFile,
    managedIdentity: { clientId },
    refusal: needsTenant && !tenantId ? "tenant id is required for default azure credential authentication" : undefined,
  };
}

/** What to call the credential in a message. */
export function credentialLabel(c: CredentialChoice): string {
  switch (c.kind) {
    case "client-secret":
      return `the client secret of app ${c.clientId ?? "?"} in tenant ${c.tenantId ?? "?"}`;
    case "managed-identity":
      return c.managedIdentity?.resourceId ? `the user-assigned managed identity ${c.managedIdentity.resourceId}` : c.managedIdentity?.clientId ? `the managed identity with client id ${c.managedIdentity.clientId}` : "the system-assigned managed identity";
    case "workload-identity":
      return `workload identity (client id ${c.clientId ?? "?"}, token file ${c.federatedTokenFile ?? "unset"})`;
    case "certificate":
      return `the certificate ${c.certPath ?? "?"} of app ${c.clientId ?? "?"}`;
    case "environment":
      return "EnvironmentCredential (AZURE_* variables)";
    default:
      return c.federatedTokenFile ? `DefaultAzureCredential: workload identity (token file ${c.federatedTokenFile})` : `DefaultAzureCredential: managed identity${c.clientId ? ` with client id ${c.clientId}` : " (system-assigned)"}`;
  }
}
