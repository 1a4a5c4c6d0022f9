// What the azurekeyvault checks share: the facts they pass each other, the one place the Azure SDK clients are
// built (@azure/identity, @azure/keyvault-keys, @azure/arm-keyvault, imported lazily so a run without an
// azurekeyvault seal never loads them), bounded calls, and the view of an Azure error (Key Vault's
// {"error":{"code","message","innererror"}}, Entra ID's AADSTS codes) with its cause.
import { readFileSync } from "node:fs";
import type { TokenCredential } from "@azure/identity";
import type { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import type { CheckContext } from "../check.js";
import type { SealConfig } from "../config/seal-config.js";
import type { Fix } from "../model.js";
import { shq } from "../shell.js";
import type { TargetServer } from "../targets/server-behaviour.js";
import { classifyError } from "../troubleshoot/index.js";
import type { CauseId } from "../troubleshoot/causes.js";
import { credentialLabel, type CredentialChoice } from "./credential-choice.js";
import { MICROSOFT_AUTHORITY_HOSTS, type AzureCloud } from "./environment.js";

export const AZUREKEYVAULT_DOCS = "https://developer.hashicorp.com/vault/docs/configuration/seal/azurekeyvault";
export const CRYPTO_ROLE = "Key Vault Crypto Service Encryption User";

// Testing hooks of the doctor; Vault has no such settings. They point the doctor's calls at the loopback Key Vault
// emulator (test/emulator/azure): the vault URL, the Resource Manager endpoint, and the PEM CA their TLS chains to.
export const AZURE_KEYVAULT_URL_ENV = "VAULT_KMS_DOCTOR_AZURE_KEYVAULT_URL";
export const AZURE_ARM_URL_ENV = "VAULT_KMS_DOCTOR_AZURE_ARM_URL";
export const AZURE_CA_FILE_ENV = "VAULT_KMS_DOCTOR_AZURE_CA_FILE";

/** Facts of azurekeyvault.config */
export interface AzureConfigFacts {
  server: TargetServer;
  vaultName: string;
  keyName: string;
  /** https://<vault_name>.<suffix>/, what Vault dials. */
  vaultUrl: string;
  cloud: AzureCloud;
  dnsSuffix: string;
  keyNotRequired: boolean;
  /** Where each value came from ("vault.hcl:4", "env AZURE_TENANT_ID"). */
  from: Record<string, string>;
}

/** Facts of azurekeyvault.credential */
export interface AzureCredentialFacts {
  choice: CredentialChoice;
  label: string;
  /** From the token's claims (never the token): the principal Key Vault sees. */
  objectId?: string;
  appId?: string;
  tenantId?: string;
}

/** Facts of azurekeyvault.vault-properties */
export interface AzureVaultFacts {
  id: string;
  resourceGroup?: string;
  rbac: boolean;
  /** Key permissions of each access-policy principal (object id -> permissions), for set-policy fixes. */
  keyPermissions: Record<string, string[]>;
  location?: string;
}

/** Facts of azurekeyvault.key */
export interface AzureKeyFacts {
  found: boolean;
  /** Version of the latest key (what WrapKey uses). */
  version?: string;
  kty?: string;
  keyOps?: string[];
  enabled?: boolean;
  /** Versions that are disabled (an older one breaks the unseal of what it wrapped). */
  disabledVersions?: string[];
  /** GetKey itself was refused (403): permissions has the finding. */
  getDenied?: boolean;
}

declare module "../facts.js" {
  interface FactMap {
    "azurekeyvault.config": AzureConfigFacts;
    "azurekeyvault.credential": AzureCredentialFacts;
    "azurekeyvault.vault-properties": AzureVaultFacts;
    "azurekeyvault.key": AzureKeyFacts;
  }
}

function caOf(env: NodeJS.ProcessEnv): string | undefined {
  const file = env[AZURE_CA_FILE_ENV];
  if (!file) return undefined;
  const text = readFileSync(file, "utf8");
  if (text.length > 1_000_000) throw new Error(`${AZURE_CA_FILE_ENV}: ${file} is larger than 1 MB`);
  return text;
}

/** Options every Azure client of the doctor gets: no retries beyond one (the budget is the caller's), the test CA. */
function pipelineOptions(env: NodeJS.ProcessEnv): { retryOptions: { maxRetries: number }; tlsOptions?: { ca: string } } {
  const ca = caOf(env);
  return { retryOptions: { maxRetries: 0 }, ...(ca ? { tlsOptions: { ca } } : {}) };
}

const credentials = new WeakMap<SealConfig, Promise<TokenCredential>>();

/** The credential Vault's wrapper would build (src/azure/credential-choice.ts), once per seal and run. */
export function openCredential(ctx: CheckContext, choice: CredentialChoice): Promise<TokenCredential> {
  const seal = ctx.seal!;
  let p = credentials.get(seal);
  if (!p) {
    p = buildCredential(ctx, choice);
    credentials.set(seal, p);
  }
  return p;
}

async function buildCredential(ctx: CheckContext, c: CredentialChoice): Promise<TokenCredential> {
  const id = await import("@azure/identity");
  const env = ctx.env;
  const authorityHost = env.AZURE_AUTHORITY_HOST || undefined;
  // MSAL's instance discovery asks login.microsoftonline.com about the authority: meaningful (and allowed) only for
  // Microsoft's own hosts. azidentity in Vault does the same discovery.
  const offMicrosoft = authorityHost !== undefined && !MICROSOFT_AUTHORITY_HOSTS.includes(new URL(authorityHost).host);
  const common = { ...pipelineOptions(env), ...(authorityHost ? { authorityHost } : {}), ...(offMicrosoft ? { disableInstanceDiscovery: true } : {}) };
  const managed = () => {
    const mi = c.managedIdentity ?? {};
    if (mi.resourceId) return new id.ManagedIdentityCredential({ resourceId: mi.resourceId, ...pipelineOptions(env) });
    if (mi.clientId) return new id.ManagedIdentityCredential({ clientId: mi.clientId, ...pipelineOptions(env) });
    return new id.ManagedIdentityCredential({ ...pipelineOptions(env) });
  };
  const workload = () => new id.WorkloadIdentityCredential({ tenantId: c.tenantId, clientId: c.clientId, tokenFilePath: c.federatedTokenFile, ...common });
  switch (c.kind) {
    case "client-secret":
      return new id.ClientSecretCredential(c.tenantId!, c.clientId!, secretOf(ctx), common);
    case "managed-identity":
      return managed();
    case "workload-identity":
      return workload();
    case "certificate":
      return new id.ClientCertificateCredential(c.tenantId!, c.clientId!, { certificatePath: c.certPath!, certificatePassword: ctx.seal?.values.cert_password?.value || undefined }, common);
    case "environment":
      return new id.EnvironmentCredential(common);
    default: {
      // The part of DefaultAzureCredential that can work on a server: environment, workload identity, managed identity.
      const chain: TokenCredential[] = [new id.EnvironmentCredential(common)];
      if (c.federatedTokenFile) chain.push(workload());
      chain.push(managed());
      return new id.ChainedTokenCredential(...chain);
    }
  }
}

function secretOf(ctx: CheckContext): string {
  return ctx.seal?.values.client_secret?.value ?? "";
}

/** Claims of an access token, for naming the principal; the token itself is never kept or printed. */
export function tokenClaims(token: string): { oid?: string; appid?: string; tid?: string; aud?: string } {
  try {
    const part = token.split(".")[1];
    if (!part) return {};
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    const s = (k: string) => (typeof claims[k] === "string" ? (claims[k] as string) : undefined);
    return { oid: s("oid"), appid: s("appid") ?? s("azp"), tid: s("tid"), aud: s("aud") };
  } catch {
    return {};
  }
}

/** The URL the doctor calls: the test hook, else the vault URL Vault builds. */
export function callUrl(cfg: AzureConfigFacts, env: NodeJS.ProcessEnv): string {
  return env[AZURE_KEYVAULT_URL_ENV] || cfg.vaultUrl;
}

export async function openKeyClient(ctx: CheckContext, cfg: AzureConfigFacts, credential: TokenCredential): Promise<KeyClient> {
  const kv = await import("@azure/keyvault-keys");
  const hooked = Boolean(ctx.env[AZURE_KEYVAULT_URL_ENV]);
  return new kv.KeyClient(callUrl(cfg, ctx.env), credential, { ...pipelineOptions(ctx.env), ...(hooked ? { disableChallengeResourceVerification: true } : {}) });
}

/** A CryptographyClient for one key version ("" = the latest, as Vault's WrapKey). */
export async function openCryptoClient(ctx: CheckContext, cfg: AzureConfigFacts, credential: TokenCredential, version: string): Promise<CryptographyClient> {
  const kv = await import("@azure/keyvault-keys");
  const hooked = Boolean(ctx.env[AZURE_KEYVAULT_URL_ENV]);
  const base = callUrl(cfg, ctx.env).replace(/\/+$/, "");
  const id = `${base}/keys/${encodeURIComponent(cfg.keyName)}${version ? `/${encodeURIComponent(version)}` : ""}`;
  return new kv.CryptographyClient(id, credential, { ...pipelineOptions(ctx.env), ...(hooked ? { disableChallengeResourceVerification: true } : {}) });
}

export async function openArmClient(ctx: CheckContext, cfg: AzureConfigFacts, credential: TokenCredential, subscriptionId: string): Promise<KeyVaultManagementClient> {
  const arm = await import("@azure/arm-keyvault");
  const endpoint = ctx.env[AZURE_ARM_URL_ENV] || cfg.cloud.armEndpoint;
  return new arm.KeyVaultManagementClient(credential, subscriptionId, { ...pipelineOptions(ctx.env), endpoint, credentials: { scopes: [`${cfg.cloud.armEndpoint}/.default`] } });
}

/**
 * The version in a key id (https://v.vault.azure.net/keys/NAME/VERSION), "" when it names none. Vault reads it from
 * WrapKey's answer (resp.KID.Version()); @azure/keyvault-keys returns the id it was built with instead, which holds
 * the version only when the client could read the key first: callers fall back to GetKey's latest version.
 */
export function versionOf(kid: string | undefined): string {
  return /\/keys\/[^/]+\/([^/?#]+)/.exec(kid ?? "")?.[1] ?? "";
}

/** Every Azure call of a check: aborted after the per-call deadline. */
export function callOptions(ctx: CheckContext, factor = 1): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.options.callTimeoutMs * factor)]) };
}

export interface AzureErrorView {
  status?: number;
  /** Key Vault error.code / Entra error, e.g. Forbidden, KeyNotFound, invalid_client. */
  code: string;
  /** Key Vault innererror.code: ForbiddenByRbac, ForbiddenByPolicy, ForbiddenByFirewall, AccessDenied, KeyDisabled. */
  innerCode?: string;
  /** AADSTS number, when Entra ID answered with one. */
  aadsts?: string;
  message: string;
  network: boolean;
  cause: CauseId;
  fix?: Fix;
}

/** AADSTS codes -> the cause the troubleshooting table uses (Microsoft Entra authentication and authorization error codes). */
const AADSTS_CAUSES: Record<string, CauseId> = {
  "90002": "wrong_tenant", // tenant not found
  "900023": "wrong_tenant", // tenant identifier is neither a valid DNS name nor a valid external domain
  "700016": "invalid_credentials", // application not found in the directory (credential.ts: app-not-found)
  "7000215": "invalid_credentials", // invalid client secret provided
  "7000222": "expired_credentials", // the provided client secret keys are expired
  "700024": "expired_credentials", // client assertion is not within its valid time range
  "70021": "federated_identity_mismatch", // no matching federated identity record for the presented assertion
  "700211": "federated_identity_mismatch", // no matching federated identity record for presented assertion issuer
  "700212": "federated_identity_mismatch", // no matching federated identity record for presented assertion audience
  "700213": "federated_identity_mismatch", // no matching federated identity record for presented assertion subject
  "7002137": "federated_identity_mismatch", // subject mismatch (managed identity as federated credential)
  "7002138": "federated_identity_mismatch", // subject matches only case-insensitively
  "500011": "seal_config_error", // resource principal not found in the tenant
  "7000112": "invalid_credentials", // application is disabled
  "53003": "permission_denied", // blocked by Conditional Access
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "REQUEST_SEND_ERROR", "UND_ERR_CONNECT_TIMEOUT"]);

export function viewAzureError(err: unknown): AzureErrorView {
  const e = (err ?? {}) as { name?: string; code?: string; statusCode?: number; message?: string; details?: unknown; errorResponse?: { error?: string; errorDescription?: string }; cause?: unknown; response?: { bodyAsText?: string | null } };
  const raw = String(e.message ?? err);
  const message = raw.split("\n").filter((l) => l.trim() !== "").slice(0, 3).join(" ").replace(/\s+/g, " ").slice(0, 600);
  const body = (e.details ?? bodyOf(e)) as { error?: { code?: string; innererror?: { code?: string } } };
  const innerCode = body.error?.innererror?.code ?? /\b(ForbiddenByRbac|ForbiddenByPolicy|ForbiddenByFirewall|ForbiddenByConnection|AccessDenied|KeyDisabled|KeyOperationForbidden)\b/.exec(raw)?.[1] ?? innerFromText(raw);
  const aadsts = /AADSTS(\d{4,7})/.exec(raw)?.[1];
  const aborted = e.name === "AbortError" || e.name === "TimeoutError";
  const causeCode = (e.cause as { code?: string } | undefined)?.code;
  const network = aborted || NETWORK_CODES.has(e.code ?? "") || NETWORK_CODES.has(causeCode ?? "") || (e.statusCode === undefined && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|getaddrinfo|socket hang up/.test(raw) && !aadsts);
  const diagnosis = classifyError(err, "azurekeyvault");
  let cause: CauseId = network ? "network_unreachable" : diagnosis.cause;
  if (!network) {
    if (aadsts && AADSTS_CAUSES[aadsts]) cause = AADSTS_CAUSES[aadsts]!;
    else if (innerCode === "ForbiddenByFirewall") cause = "network_denied";
    // azidentity and @azure/identity refuse a challenge from another tenant than the credential's:
    // "... is not configured to acquire tokens for tenant X" (AdditionallyAllowedTenants).
    else if (/configured to acquire tokens for tenant/i.test(raw)) cause = "wrong_tenant";
    // The JS SDK's own checks of a key it could read (CryptographyClient.ensureValid), and Key Vault's refusals.
    else if (/not supported on key|not permitted on this key|not compatible/i.test(raw)) cause = "key_wrong_usage_or_spec";
    else if (/expired at|expired key|can't be used before|not yet valid|activation date|disabled key/i.test(raw)) cause = "key_disabled";
  }
  return {
    status: e.statusCode,
    code: body.error?.code ?? e.errorResponse?.error ?? e.code ?? e.name ?? "Error",
    innerCode,
    aadsts,
    message,
    network,
    cause,
    fix: network ? undefined : diagnosis.fix,
  };
}

/** Key Vault's 403 texts name their reason even where the client drops innererror (learn.microsoft.com
 * azure/key-vault/general/troubleshooting-access-issues; rest-error-codes). */
function innerFromText(raw: string): string | undefined {
  if (/Client address is not authorized and caller is not a trusted service/i.test(raw)) return "ForbiddenByFirewall";
  if (/Caller is not authorized to perform action on resource/i.test(raw)) return "ForbiddenByRbac";
  if (/does not have (?:keys|secrets|certificates) \w+ permission on key vault/i.test(raw)) return "ForbiddenByPolicy";
  return undefined;
}

/** The JSON error body of a RestError's response (Key Vault's KeyVaultError, ARM's CloudError), capped. */
function bodyOf(e: { response?: { bodyAsText?: string | null } }): unknown {
  const text = e.response?.bodyAsText;
  if (!text || text.length > 100_000) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

export function errorText(v: AzureErrorView): string {
  return `${v.status ? `${v.status} ` : ""}${v.code}${v.innerCode && v.innerCode !== v.code ? `/${v.innerCode}` : ""}: ${v.message.replace(/\.+$/, "")}`;
}

/** A Key Vault 403 that is about the caller's permissions (not the firewall, not the key's state). */
export function isPermissionDenied(v: AzureErrorView): boolean {
  return v.status === 403 && !isFirewallDenied(v) && v.innerCode !== "KeyDisabled" && v.innerCode !== "KeyOperationForbidden" && !/disabled key|not allowed on|key_ops/i.test(v.message);
}

export function isFirewallDenied(v: AzureErrorView): boolean {
  return v.status === 403 && (v.innerCode === "ForbiddenByFirewall" || v.innerCode === "ForbiddenByConnection" || /Client address is not authorized/i.test(v.message));
}

/** The key permissions Vault needs (access policy names) and the data actions they are under RBAC. */
export const VAULT_KEY_PERMISSIONS = ["get", "wrapKey", "unwrapKey"];

/** The fix for missing key permissions, for the vault's permission model (unknown: both, RBAC first). */
export function grantFix(cfg: AzureConfigFacts, creds: AzureCredentialFacts | undefined, vault: AzureVaultFacts | undefined, summaryHead: string): Fix {
  const oid = creds?.objectId ?? "<OBJECT_ID>";
  const scope = vault ? `${vault.id}/keys/${cfg.keyName}` : undefined;
  const rbac = `az role assignment create --assignee-object-id ${shq(oid)} --assignee-principal-type ServicePrincipal --role ${shq(CRYPTO_ROLE)} --scope ${scope ? shq(scope) : `"$(az keyvault show --name ${shq(cfg.vaultName)} --query id -o tsv)/keys/${cfg.keyName.replace(/[^A-Za-z0-9-]/g, "")}"`}`;
  // set-policy replaces the principal's key permissions: keep the ones it already has.
  const existing = vault?.keyPermissions[oid] ?? [];
  const perms = [...new Set([...existing, ...VAULT_KEY_PERMISSIONS])];
  const policy = `az keyvault set-policy --name ${shq(cfg.vaultName)} --object-id ${shq(oid)} --key-permissions ${perms.map(shq).join(" ")}`;
  if (vault) {
    return vault.rbac
      ? { summary: `${summaryHead} The vault uses Azure RBAC: assign ${CRYPTO_ROLE} (keys read, wrapKey, unwrapKey) on the key.`, commands: [rbac], docs: AZUREKEYVAULT_DOCS }
      : { summary: `${summaryHead} The vault uses access policies: grant key permissions get, wrapKey and unwrapKey.`, commands: [policy], docs: AZUREKEYVAULT_DOCS };
  }
  return {
    summary: `${summaryHead} The vault's permission model is unknown (its properties could not be read): under Azure RBAC assign ${CRYPTO_ROLE}; under access policies grant get, wrapKey and unwrapKey.`,
    commands: [rbac, `${policy}   # access-policy vaults only`],
    docs: AZUREKEYVAULT_DOCS,
  };
}

export { credentialLabel };
