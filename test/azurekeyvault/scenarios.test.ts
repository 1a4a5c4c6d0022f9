// The azurekeyvault checks over real HTTPS against the loopback Azure (test/emulator/azure): one scenario per fault,
// asserting codes, causes and the data of fixes (real names, object ids, resource ids).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { managedIdentityStanza, runAzureScenario, secretStanza } from "./azure-run.js";
import { APP, KEY, MI, OTHER_TENANT, SUBSCRIPTION, TENANT, VAULT } from "../emulator/azure/scenarios.js";

const T = 30_000;
const VAULT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/vault-rg/providers/Microsoft.KeyVault/vaults/${VAULT}`;
/** A loopback port nothing listens on. */
const CLOSED = "https://127.0.0.1:9";

describe("azurekeyvault against the loopback Azure", () => {
  it("healthy: client secret, access policies, every check passes", async () => {
    const run = await runAzureScenario("healthy");
    expect(run.codes).toEqual({
      "config.required-keys": ["pass:present"],
      "azurekeyvault.config": ["pass:values"],
      "azurekeyvault.credential": ["pass:token"],
      "azurekeyvault.vault-properties": ["pass:found"],
      "azurekeyvault.key": ["pass:ok"],
      "azurekeyvault.versions": ["pass:all-enabled"],
      "azurekeyvault.permissions": ["pass:granted"],
      "azurekeyvault.round-trip": ["pass:ok"],
    });
    expect(run.finding("azurekeyvault.config", "values").details).toMatchObject({ vault_url: `https://${VAULT}.vault.azure.net/`, key_name: KEY, environment: "AzurePublicCloud" });
    expect(run.finding("azurekeyvault.credential", "token").details).toMatchObject({ credential: "client-secret", object_id: APP.objectId, app_id: APP.clientId, tenant_id: TENANT });
    expect(run.finding("azurekeyvault.vault-properties", "found").details).toMatchObject({ id: VAULT_ID, rbac: false, soft_delete: true, purge_protection: true });
    expect(run.finding("azurekeyvault.key", "ok").details).toMatchObject({ kty: "RSA", bits: 2048, enabled: true });
    // Vault's calls: wrapKey with no version (the latest), unwrapKey with the recorded version.
    expect(run.emulator.requests).toContain(`POST /keys/${KEY}//wrapkey`);
    const version = run.finding("azurekeyvault.round-trip", "ok").details!.key_version as string;
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(run.emulator.requests).toContain(`POST /keys/${KEY}/${version}/unwrapkey`);
  }, T);

  it("healthy with a managed identity (client_id only): IMDS on loopback", async () => {
    const run = await runAzureScenario("healthy", { hcl: managedIdentityStanza(MI.clientId) });
    expect(run.codes["azurekeyvault.credential"]).toEqual(["pass:token"]);
    expect(run.finding("azurekeyvault.credential", "token").details).toMatchObject({ credential: "default", object_id: MI.objectId });
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["pass:ok"]);
    expect(run.emulator.requests.some((r) => r.startsWith("IMDS GET /metadata/identity/oauth2/token"))).toBe(true);
  }, T);

  it("key disabled", async () => {
    const run = await runAzureScenario("key-disabled");
    expect(run.codes["azurekeyvault.key"]).toEqual(["fail:disabled"]);
    const f = run.finding("azurekeyvault.key", "disabled");
    expect(f.cause).toBe("key_disabled");
    expect(f.fix!.commands).toEqual([`az keyvault key set-attributes --vault-name ${VAULT} --name ${KEY} --enabled true`]);
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["fail:key-state"]);
    expect(run.finding("azurekeyvault.round-trip", "key-state").cause).toBe("key_disabled");
    expect(run.codes["azurekeyvault.permissions"]).toContain("skip:untestable");
  }, T);

  it("older version disabled: the round trip works, the next unseal of what it wrapped does not", async () => {
    const run = await runAzureScenario("older-version-disabled");
    expect(run.codes["azurekeyvault.key"]).toEqual(["pass:ok"]);
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["pass:ok"]);
    expect(run.codes["azurekeyvault.versions"]).toEqual(["warn:older-disabled"]);
    const f = run.finding("azurekeyvault.versions", "older-disabled");
    const old = f.details!.version as string;
    expect(old).not.toBe(run.finding("azurekeyvault.key", "ok").details!.version);
    expect(f.fix!.commands).toEqual([`az keyvault key set-attributes --vault-name ${VAULT} --name ${KEY} --version ${old} --enabled true`]);
  }, T);

  it("key missing wrapKey in key_ops", async () => {
    const run = await runAzureScenario("key-missing-wrapkey");
    expect(run.codes["azurekeyvault.key"]).toEqual(["fail:key-ops"]);
    const f = run.finding("azurekeyvault.key", "key-ops");
    expect(f.args).toMatchObject({ missing: "wrapKey" });
    expect(f.fix!.commands).toEqual([`az keyvault key set-attributes --vault-name ${VAULT} --name ${KEY} --ops unwrapKey decrypt wrapKey`]);
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["fail:key-state"]);
  }, T);

  it("no permission (access policies): set-policy with the principal's real object id, keeping its permissions", async () => {
    const run = await runAzureScenario("no-permission");
    expect(run.codes["azurekeyvault.permissions"]).toEqual(["fail:denied", "fail:denied"]);
    const [wrap, unwrap] = run.result.checks.find((c) => c.id === "azurekeyvault.permissions")!.findings;
    expect(wrap!.args).toMatchObject({ op: "wrapKey" });
    expect(unwrap!.args).toMatchObject({ op: "unwrapKey" });
    expect(wrap!.fix!.commands).toEqual([`az keyvault set-policy --name ${VAULT} --object-id ${APP.objectId} --key-permissions get list wrapKey unwrapKey`]);
    expect(unwrap!.fix).toBeUndefined();
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["fail:denied"]);
    expect(run.finding("azurekeyvault.round-trip", "denied").cause).toBe("permission_denied");
  }, T);

  it("no permission (Azure RBAC): role assignment on the key's scope", async () => {
    const run = await runAzureScenario("no-permission-rbac");
    expect(run.codes["azurekeyvault.key"]).toEqual(["fail:get-denied"]);
    const rbac = `az role assignment create --assignee-object-id ${APP.objectId} --assignee-principal-type ServicePrincipal --role 'Key Vault Crypto Service Encryption User' --scope ${VAULT_ID}/keys/${KEY}`;
    expect(run.finding("azurekeyvault.key", "get-denied").fix!.commands).toEqual([rbac]);
    expect(run.codes["azurekeyvault.permissions"]).toEqual(["fail:denied", "fail:denied", "fail:denied"]);
    expect(run.result.checks.find((c) => c.id === "azurekeyvault.permissions")!.findings.map((f) => f.args?.op)).toEqual(["get", "wrapKey", "unwrapKey"]);
  }, T);

  it("no permission and the model unknown: both fixes, and the model read from the denial", async () => {
    const run = await runAzureScenario("no-permission", { env: { AZURE_SUBSCRIPTION_ID: undefined } });
    expect(run.codes["azurekeyvault.vault-properties"]).toEqual(["error:no-subscription"]);
    expect(run.codes["azurekeyvault.permissions"]).toEqual(["fail:denied", "fail:denied", "warn:model"]);
    expect(run.finding("azurekeyvault.permissions", "model").args).toMatchObject({ inner: "ForbiddenByPolicy" });
    const cmds = run.result.checks.find((c) => c.id === "azurekeyvault.permissions")!.findings[0]!.fix!.commands;
    expect(cmds[0]).toContain(`az role assignment create --assignee-object-id ${APP.objectId}`);
    expect(cmds[1]).toBe(`az keyvault set-policy --name ${VAULT} --object-id ${APP.objectId} --key-permissions get wrapKey unwrapKey   # access-policy vaults only`);
  }, T);

  it("wrong tenant: Entra ID does not know it (AADSTS90002)", async () => {
    const run = await runAzureScenario("healthy", { hcl: secretStanza("", { tenant: "00000000-0000-0000-0000-000000000001" }) });
    expect(run.codes["azurekeyvault.credential"]).toEqual(["fail:wrong-tenant"]);
    const f = run.finding("azurekeyvault.credential", "wrong-tenant");
    expect(f.cause).toBe("wrong_tenant");
    expect(f.args).toMatchObject({ aadsts: "90002", tenantId: "00000000-0000-0000-0000-000000000001" });
    expect(run.codes["azurekeyvault.key"]).toEqual(["skip:prerequisite-failed"]);
  }, T);

  it("wrong tenant: the vault belongs to another tenant than the credential", async () => {
    const run = await runAzureScenario("vault-other-tenant");
    expect(run.codes["azurekeyvault.credential"]).toEqual(["pass:token"]);
    expect(run.codes["azurekeyvault.key"]).toEqual(["fail:wrong-tenant"]);
    expect(run.finding("azurekeyvault.key", "wrong-tenant").args!.error).toContain(OTHER_TENANT);
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["fail:failed"]);
    expect(run.finding("azurekeyvault.round-trip", "failed").cause).toBe("wrong_tenant");
  }, T);

  it("expired client secret (AADSTS7000222)", async () => {
    const run = await runAzureScenario("expired-secret");
    expect(run.codes["azurekeyvault.credential"]).toEqual(["fail:expired-secret"]);
    const f = run.finding("azurekeyvault.credential", "expired-secret");
    expect(f.cause).toBe("expired_credentials");
    expect(f.args).toMatchObject({ aadsts: "7000222", clientId: APP.clientId });
    expect(f.fix!.commands).toEqual([`az ad app credential reset --id ${APP.clientId} --append --display-name vault-unseal`]);
  }, T);

  it("wrong client secret (AADSTS7000215) and unknown app (AADSTS700016)", async () => {
    const bad = await runAzureScenario("healthy", { hcl: secretStanza("", { secret: "not-the-secret" }) });
    expect(bad.codes["azurekeyvault.credential"]).toEqual(["fail:invalid-secret"]);
    expect(bad.finding("azurekeyvault.credential", "invalid-secret").args).toMatchObject({ aadsts: "7000215" });
    const unknown = await runAzureScenario("healthy", { hcl: secretStanza("", { clientId: "deadbeef-0000-0000-0000-000000000000" }) });
    expect(unknown.codes["azurekeyvault.credential"]).toEqual(["fail:app-not-found"]);
    expect(unknown.finding("azurekeyvault.credential", "app-not-found").args).toMatchObject({ aadsts: "700016", clientId: "deadbeef-0000-0000-0000-000000000000" });
  }, T);

  it("Conditional Access (AADSTS53003): token-failed with its cause", async () => {
    const run = await runAzureScenario("conditional-access");
    expect(run.codes["azurekeyvault.credential"]).toEqual(["fail:token-failed"]);
    expect(run.finding("azurekeyvault.credential", "token-failed").cause).toBe("permission_denied");
  }, T);

  it("managed identity not assigned", async () => {
    // A client id of its own: MSAL caches managed identity tokens per client id for the whole process.
    const clientId = "44444444-0000-4000-8000-000000000001";
    const run = await runAzureScenario("mi-not-assigned", { hcl: managedIdentityStanza(clientId) });
    expect(run.codes["azurekeyvault.credential"]).toEqual(["fail:mi-not-assigned"]);
    const f = run.finding("azurekeyvault.credential", "mi-not-assigned");
    expect(f.cause).toBe("managed_identity_error");
    expect(f.args).toMatchObject({ identity: clientId });
    expect(f.fix!.commands[0]).toBe(`az vm identity assign --name <VM> --resource-group <RESOURCE_GROUP> --identities $(az identity list --query '[?clientId=='\\''${clientId}'\\''].id' -o tsv)`);
  }, T);

  it("managed identity endpoint unreachable", async () => {
    const run = await runAzureScenario("imds-down", { hcl: managedIdentityStanza("44444444-0000-4000-8000-000000000002"), callTimeoutMs: 1_000 });
    expect(run.codes["azurekeyvault.credential"]).toEqual(["fail:mi-unavailable"]);
  }, T);

  it("token endpoint unreachable: error, never a pass", async () => {
    const run = await runAzureScenario("healthy", { env: { AZURE_AUTHORITY_HOST: CLOSED }, callTimeoutMs: 1_000 });
    expect(run.codes["azurekeyvault.credential"]).toEqual(["error:network"]);
    expect(run.finding("azurekeyvault.credential", "network").cause).toBe("network_unreachable");
  }, T);

  it("workload identity (OpenBao auth_method): federated credential subject mismatch, then a match", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vkd-wi-"));
    const tokenFile = join(dir, "token");
    const jwt = (sub: string) => `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub, iss: "https://oidc.example/", aud: "api://AzureADTokenExchange", exp: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url")}.c2ln`;
    const hcl = `seal "azurekeyvault" {\n  tenant_id   = "${TENANT}"\n  client_id   = "${APP.clientId}"\n  auth_method = "workload_identity"\n  vault_name  = "${VAULT}"\n  key_name    = "${KEY}"\n}\n`;
    writeFileSync(tokenFile, jwt("system:serviceaccount:default:other"));
    const bad = await runAzureScenario("workload-identity", { hcl, server: "openbao", env: { AZURE_FEDERATED_TOKEN_FILE: tokenFile } });
    expect(bad.codes["azurekeyvault.credential"]).toEqual(["fail:federated-mismatch"]);
    expect(bad.finding("azurekeyvault.credential", "federated-mismatch").args).toMatchObject({ aadsts: "700213", file: tokenFile });
    writeFileSync(tokenFile, jwt("system:serviceaccount:vault:vault"));
    const good = await runAzureScenario("workload-identity", { hcl, server: "openbao", env: { AZURE_FEDERATED_TOKEN_FILE: tokenFile } });
    expect(good.codes["azurekeyvault.credential"]).toEqual(["pass:token"]);
    expect(good.finding("azurekeyvault.credential", "token").details).toMatchObject({ credential: "workload-identity" });
  }, T);

  it("OpenBao refuses DefaultAzureCredential without tenant_id before any call", async () => {
    const run = await runAzureScenario("healthy", { hcl: `seal "azurekeyvault" {\n  vault_name = "${VAULT}"\n  key_name = "${KEY}"\n}\n`, server: "openbao" });
    expect(run.codes["azurekeyvault.credential"]).toEqual(["fail:refused"]);
    expect(run.finding("azurekeyvault.credential", "refused").args).toMatchObject({ refusal: "tenant id is required for default azure credential authentication" });
    expect(run.emulator.requests).toEqual([]);
  }, T);

  it("firewall denial", async () => {
    const run = await runAzureScenario("firewall");
    expect(run.codes["azurekeyvault.key"]).toEqual(["fail:firewall"]);
    expect(run.finding("azurekeyvault.key", "firewall").cause).toBe("network_denied");
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["fail:firewall"]);
    expect(run.codes["azurekeyvault.vault-properties"]).toEqual(["pass:found", "warn:firewall"]);
    expect(run.finding("azurekeyvault.vault-properties", "firewall").details).toMatchObject({ ip_rules: ["203.0.113.7/32"] });
  }, T);

  it("soft delete and purge protection off", async () => {
    const run = await runAzureScenario("soft-delete-off");
    expect(run.codes["azurekeyvault.vault-properties"]).toEqual(["pass:found", "warn:soft-delete-off", "warn:purge-protection-off"]);
    expect(run.finding("azurekeyvault.vault-properties", "purge-protection-off").fix!.commands).toEqual([`az keyvault update --name ${VAULT} --resource-group vault-rg --enable-purge-protection true`]);
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["pass:ok"]);
  }, T);

  it("public network access disabled", async () => {
    const run = await runAzureScenario("public-access-disabled");
    expect(run.codes["azurekeyvault.vault-properties"]).toEqual(["pass:found", "warn:public-access-disabled"]);
  }, T);

  it("Resource Manager: not permitted, vault not in the subscription, unknown subscription: error, never a pass", async () => {
    const denied = await runAzureScenario("arm-denied");
    expect(denied.codes["azurekeyvault.vault-properties"]).toEqual(["error:not-permitted"]);
    expect(denied.finding("azurekeyvault.vault-properties", "not-permitted").doctorPermission).toBe("Microsoft.KeyVault/vaults/read");
    const other = await runAzureScenario("healthy", { hcl: secretStanza().replace(`"${VAULT}"`, '"another-vault"') });
    expect(other.codes["azurekeyvault.vault-properties"]).toEqual(["error:not-found"]);
    expect(other.finding("azurekeyvault.vault-properties", "not-found").args).toMatchObject({ vault: "another-vault", count: 1 });
    const sub = await runAzureScenario("healthy", { env: { AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-00000000ffff" } });
    expect(sub.codes["azurekeyvault.vault-properties"]).toEqual(["error:failed"]);
  }, T);

  it("key expired / not yet valid / EC / missing", async () => {
    const expired = await runAzureScenario("key-expired");
    expect(expired.codes["azurekeyvault.key"]).toEqual(["fail:expired"]);
    expect(expired.codes["azurekeyvault.round-trip"]).toEqual(["fail:key-state"]);
    const nbf = await runAzureScenario("key-not-yet-valid");
    expect(nbf.codes["azurekeyvault.key"]).toEqual(["fail:not-yet-valid"]);
    const ec = await runAzureScenario("key-ec");
    expect(ec.codes["azurekeyvault.key"]).toEqual(["fail:wrong-type"]);
    expect(ec.codes["azurekeyvault.round-trip"]).toEqual(["fail:failed"]);
    expect(ec.finding("azurekeyvault.round-trip", "failed").cause).toBe("key_wrong_usage_or_spec");
    const missing = await runAzureScenario("key-missing");
    expect(missing.codes["azurekeyvault.key"]).toEqual(["fail:not-found"]);
    expect(missing.finding("azurekeyvault.key", "not-found").fix!.commands[0]).toBe(`az keyvault key list --vault-name ${VAULT} --query "[].name" -o tsv`);
    expect(missing.codes["azurekeyvault.versions"]).toEqual(["skip:no-key"]);
    expect(missing.codes["azurekeyvault.permissions"]).toEqual(["skip:no-key"]);
    expect(missing.codes["azurekeyvault.round-trip"]).toEqual(["skip:no-key"]);
  }, T);

  it("key_not_required: a missing key or a denied GetKey is a warning", async () => {
    const missing = await runAzureScenario("key-missing", { hcl: secretStanza('  key_not_required = "true"\n') });
    expect(missing.codes["azurekeyvault.key"]).toEqual(["warn:not-found-not-required"]);
    const noGet = await runAzureScenario("no-get", { hcl: secretStanza('  key_not_required = "true"\n') });
    expect(noGet.codes["azurekeyvault.key"]).toEqual(["warn:get-denied-not-required"]);
  }, T);

  it("no get permission: Vault's startup GetKey fails; wrap and unwrap still work", async () => {
    const run = await runAzureScenario("no-get");
    expect(run.codes["azurekeyvault.key"]).toEqual(["fail:get-denied"]);
    expect(run.codes["azurekeyvault.permissions"]).toEqual(["fail:denied"]);
    expect(run.finding("azurekeyvault.permissions", "denied").args).toMatchObject({ op: "get" });
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["pass:ok"]);
  }, T);

  it("no list permission: versions could not be looked at (error, advisory)", async () => {
    const run = await runAzureScenario("no-list");
    expect(run.codes["azurekeyvault.versions"]).toEqual(["error:not-listed"]);
    expect(run.finding("azurekeyvault.versions", "not-listed").doctorPermission).toBe("keys/list");
  }, T);

  it("unwrapKey returns other bytes: mismatch", async () => {
    const run = await runAzureScenario("corrupt-unwrap");
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["fail:mismatch"]);
  }, T);

  it("the vault does not answer: error everywhere, never a pass", async () => {
    const run = await runAzureScenario("healthy", { env: { VAULT_KMS_DOCTOR_AZURE_KEYVAULT_URL: `${CLOSED}/` }, callTimeoutMs: 1_000 });
    expect(run.codes["azurekeyvault.key"]).toEqual(["error:failed"]);
    expect(run.codes["azurekeyvault.versions"]).toEqual(["error:not-listed"]);
    expect(run.codes["azurekeyvault.permissions"]).toEqual(["error:untestable", "error:untestable"]);
    expect(run.codes["azurekeyvault.round-trip"]).toEqual(["error:network"]);
  }, T);

  describe("seal migration away from azurekeyvault: the old seal must still unwrap", () => {
    const migration = (extra = "") => secretStanza(`  disabled = "true"\n${extra}`) + `seal "transit" {\n  address = "https://127.0.0.1:9"\n  token = "t"\n  key_name = "k"\n  mount_path = "transit/"\n}\n`;

    it("unwraps; wrap and round trip are not asked of the old seal", async () => {
      const run = await runAzureScenario("healthy", { hcl: migration() });
      expect(run.codes["azurekeyvault.old-seal-unwrap"]).toEqual(["pass:unwrap-ok"]);
      expect(run.codes["azurekeyvault.round-trip"]).toBeUndefined();
      expect(run.codes["azurekeyvault.permissions"]).toBeUndefined();
    }, T);

    it("a decrypt-only policy (no wrapKey) is enough", async () => {
      const run = await runAzureScenario("no-permission", { hcl: migration() });
      expect(run.codes["azurekeyvault.old-seal-unwrap"]).toEqual(["fail:unwrap-denied"]);
      const onlyUnwrap = await runAzureScenario("old-seal-unwrap-only", { hcl: migration() });
      expect(onlyUnwrap.codes["azurekeyvault.old-seal-unwrap"]).toEqual(["pass:unwrap-allowed"]);
    }, T);

    it("a disabled old key: failed", async () => {
      const run = await runAzureScenario("key-disabled", { hcl: migration() });
      expect(run.codes["azurekeyvault.old-seal-unwrap"]).toEqual(["fail:failed"]);
    }, T);
  });
});
