// azurekeyvault.config without the network: the vault URL Vault builds from vault_name, environment and resource
// (go-kms-wrapping wrappers/azurekeyvault SetConfig + buildBaseURL), the environment beating the file, and the
// credential each fork builds from the settings (src/azure/credential-choice.ts).
import { describe, expect, it } from "vitest";
import requiredKeys from "../../checks/config/required-keys.js";
import config from "../../checks/azurekeyvault/config.js";
import { chooseCredential } from "../../src/azure/credential-choice.js";
import { cloudFromName } from "../../src/azure/environment.js";
import { codesByCheck, configFromText, findingIn, runSealChecks } from "../support/check-harness.js";

const base = (extra = "", name = "vault-unseal-kv", key = "vault-unseal") => `seal "azurekeyvault" {\n  tenant_id = "t"\n  client_id = "c"\n  client_secret = "s"\n  vault_name = "${name}"\n  key_name = "${key}"\n${extra}}\n`;

async function run(text: string, env: NodeJS.ProcessEnv = {}, server: "vault" | "openbao" = "vault") {
  const cfg = configFromText(text, env, "vault.hcl", server);
  const result = await runSealChecks(cfg, [requiredKeys, config], { env, target: { server, why: "test" } });
  return { result, codes: codesByCheck(result)["azurekeyvault.config"], finding: (code: string) => findingIn(result, "azurekeyvault.config", code) };
}

describe("azurekeyvault.config", () => {
  it("public cloud by default: https://<vault_name>.vault.azure.net/", async () => {
    const r = await run(base());
    expect(r.codes).toEqual(["pass:values"]);
    expect(r.finding("values").details).toMatchObject({ vault_url: "https://vault-unseal-kv.vault.azure.net/", environment: "AzurePublicCloud" });
  });

  it("environment names as go-autorest reads them, case-insensitive; sovereign clouds need AZURE_AUTHORITY_HOST", async () => {
    expect(cloudFromName("azurechinacloud")?.keyVaultDnsSuffix).toBe("vault.azure.cn");
    expect(cloudFromName("AzureUSGovernmentCloud")?.keyVaultDnsSuffix).toBe("vault.usgovcloudapi.net");
    const r = await run(base('  environment = "AzureChinaCloud"\n'));
    expect(r.codes).toEqual(["pass:values", "warn:authority-mismatch"]);
    expect(r.finding("authority-mismatch").fix!.commands).toEqual(["export AZURE_AUTHORITY_HOST=https://login.chinacloudapi.cn"]);
    expect(r.finding("values").details).toMatchObject({ vault_url: "https://vault-unseal-kv.vault.azure.cn/" });
    const ok = await run(base('  environment = "AzureChinaCloud"\n'), { AZURE_AUTHORITY_HOST: "https://login.chinacloudapi.cn" });
    expect(ok.codes).toEqual(["pass:values"]);
  });

  it("an unknown environment fails as Vault does", async () => {
    const r = await run(base('  environment = "AzureCloudPublic"\n'));
    expect(r.codes).toEqual(["fail:unknown-environment"]);
    expect(r.finding("unknown-environment").args).toMatchObject({ upper: "AZURECLOUDPUBLIC" });
  });

  it("AZURE_ENVIRONMENT beats the file (both forks read the environment first)", async () => {
    const r = await run(base('  environment = "AzurePublicCloud"\n'), { AZURE_ENVIRONMENT: "nope" });
    expect(r.codes).toEqual(["fail:unknown-environment"]);
    expect(r.finding("unknown-environment").fix!.commands).toEqual(["export AZURE_ENVIRONMENT=AzurePublicCloud"]);
  });

  it("resource is a DNS suffix: a URL is caught, another suffix is named", async () => {
    const url = await run(base('  resource = "https://vault.azure.net"\n'));
    expect(url.codes).toEqual(["fail:resource-is-url"]);
    expect(url.finding("resource-is-url").args).toMatchObject({ suffix: "vault.azure.net", badUrl: "https://vault-unseal-kv.https://vault.azure.net/" });
    const other = await run(base('  resource = "vault.contoso.internal"\n'));
    expect(other.codes).toEqual(["pass:values", "warn:resource-overrides"]);
    expect(other.finding("values").details).toMatchObject({ vault_url: "https://vault-unseal-kv.vault.contoso.internal/" });
  });

  it("names Key Vault would not accept; hostile values stay quoted in fixes", async () => {
    const r = await run(base("", "https://vault-unseal-kv.vault.azure.net"));
    expect(r.codes).toEqual(["fail:invalid-vault-name"]);
    const k = await run(base("", "vault-unseal-kv", "vault_unseal;$(id)"));
    expect(k.codes).toEqual(["fail:invalid-key-name"]);
    expect(k.finding("invalid-key-name").fix!.commands).toEqual(['az keyvault key list --vault-name vault-unseal-kv --query "[].name" -o tsv']);
  });

  it("vault and key names from the environment: AZUREKEYVAULT_WRAPPER_* first, then VAULT_AZUREKEYVAULT_*", async () => {
    const r = await run(base(), { AZUREKEYVAULT_WRAPPER_VAULT_NAME: "kv-one", VAULT_AZUREKEYVAULT_VAULT_NAME: "kv-two" });
    expect(r.finding("values").details).toMatchObject({ vault_name: "kv-one", vault_name_from: "env AZUREKEYVAULT_WRAPPER_VAULT_NAME" });
  });
});

describe("the credential each fork builds (go-kms-wrapping wrappers/azurekeyvault)", () => {
  const seal = (text: string, server: "vault" | "openbao", env: NodeJS.ProcessEnv = {}) => chooseCredential(configFromText(text, env, "vault.hcl", server).seals[0]!, env, server);
  const stanza = (body: string) => `seal "azurekeyvault" {\n  vault_name = "v"\n  key_name = "k"\n${body}}\n`;

  it("tenant + client + secret: ClientSecretCredential in both", () => {
    for (const server of ["vault", "openbao"] as const) expect(seal(stanza('  tenant_id = "t"\n  client_id = "c"\n  client_secret = "s"\n'), server).kind).toBe("client-secret");
  });

  it("client_id only: OpenBao builds ManagedIdentityCredential(ClientID), Vault DefaultAzureCredential with that client id", () => {
    const bao = seal(stanza('  client_id = "c"\n'), "openbao");
    expect(bao).toMatchObject({ kind: "managed-identity", managedIdentity: { clientId: "c" } });
    const vault = seal(stanza('  client_id = "c"\n'), "vault");
    expect(vault).toMatchObject({ kind: "default", managedIdentity: { clientId: "c" } });
  });

  it("OpenBao auth_method and managed_id_kind = resource_id", () => {
    const r = seal(stanza('  auth_method = "MANAGED_IDENTITY"\n  managed_id_kind = "resource_id"\n  resource_id = "/subscriptions/x/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/vault"\n'), "openbao");
    expect(r).toMatchObject({ kind: "managed-identity", managedIdentity: { resourceId: "/subscriptions/x/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/vault" } });
    expect(seal(stanza('  auth_method = "managed_identity"\n'), "openbao").refusal).toBe("either client or resource id is required for managed identity authentication");
    expect(seal(stanza('  auth_method = "client_secret"\n  client_id = "c"\n'), "openbao").refusal).toBe("tenant id is required for azure client secret authentication");
    expect(seal(stanza('  auth_method = "certificate"\n  tenant_id = "t"\n  cert_path = "/x.pem"\n'), "openbao").refusal).toBe("client id is required for certificate authentication");
  });

  it("VAULT_AZUREKEYVAULT_AUTH_METHOD beats auth_method (OpenBao)", () => {
    const r = seal(stanza('  auth_method = "client_secret"\n  tenant_id = "t"\n'), "openbao", { VAULT_AZUREKEYVAULT_AUTH_METHOD: "workload_identity", AZURE_CLIENT_ID: "wi", AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" });
    expect(r).toMatchObject({ kind: "workload-identity", clientId: "wi", federatedTokenFile: "/var/run/secrets/azure/tokens/azure-identity-token" });
  });
});
