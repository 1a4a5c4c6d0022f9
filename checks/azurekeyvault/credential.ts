// The Entra ID credential Vault's wrapper will build (src/azure/credential-choice.ts, from go-kms-wrapping
// wrappers/azurekeyvault of the target server), and a Key Vault token from it, through @azure/identity.
// AADSTS codes are mapped to their causes (wrong tenant, unknown app, wrong or expired secret, federated
// credential mismatch); a managed identity that is not assigned answers "Identity not found" from the instance
// metadata service. The token is never printed: only its oid/appid/tid claims name the principal.
import { defineCheck, type Finding } from "../../src/check.js";
import { chooseCredential } from "../../src/azure/credential-choice.js";
import { keyVaultScope } from "../../src/azure/environment.js";
import { AZUREKEYVAULT_DOCS, callOptions, credentialLabel, errorText, openCredential, tokenClaims, viewAzureError, type AzureErrorView } from "../../src/azure/session.js";
import { shq } from "../../src/shell.js";
import type { Fix } from "../../src/model.js";
import { openIdConfigurationError } from "../../src/azure/openid.js";

export default defineCheck({
  id: "azurekeyvault.credential",
  title: "Microsoft Entra ID credential",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config"],
  messages: {
    "token": "Vault will use {label} ({why}); Entra ID issued a Key Vault token for object id {objectId}.",
    "refused": "Vault refuses this credential setup before any call: \"{refusal}\" ({why}).",
    "wrong-tenant": "Entra ID does not know tenant {tenantId} (AADSTS{aadsts}): tenant_id is wrong.",
    "app-not-found": "No application with client id {clientId} in tenant {tenantId} (AADSTS{aadsts}): client_id is wrong, or the app lives in another tenant.",
    "invalid-secret": "Entra ID rejected the client secret of app {clientId} (AADSTS{aadsts}): it is not a current secret of this app (a secret ID pasted instead of its value is a common cause).",
    "expired-secret": "The client secret of app {clientId} has expired (AADSTS{aadsts}): Vault cannot get a token.",
    "federated-mismatch": "The federated credential does not match the token in {file} (AADSTS{aadsts}): the issuer, subject or audience of the app's federated credential differs from the service account token.",
    "mi-not-assigned": "The managed identity {identity} is not assigned to this machine: the instance metadata service answers \"{error}\".",
    "mi-unavailable": "No managed identity endpoint answers here ({error}): Vault is not on an Azure VM, scale set, App Service or AKS node with an identity.",
    "token-failed": "{label} did not produce a Key Vault token: {error}",
    "network": "The token endpoint did not answer: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const choice = chooseCredential(ctx.seal!, ctx.env, cfg.server);
    const label = credentialLabel(choice);
    if (choice.refusal) {
      return { findings: [ctx.report("fail", "refused", { refusal: choice.refusal, why: choice.why }, {
        cause: "no_credentials",
        fix: { summary: "Give Vault the settings this credential needs (tenant_id for client secret, default and workload identity; client_id or resource_id for a user-assigned managed identity).", commands: [], docs: AZUREKEYVAULT_DOCS },
      })] };
    }
    const findings: Finding[] = [];
    try {
      const credential = await openCredential(ctx, choice);
      const token = await credential.getToken(keyVaultScope(cfg.cloud.keyVaultDnsSuffix), { ...callOptions(ctx, 3), ...(choice.tenantId ? { tenantId: choice.tenantId } : {}) });
      if (!token?.token) throw new Error("no token returned");
      const claims = tokenClaims(token.token);
      findings.push(ctx.report("pass", "token", { label, why: choice.why, objectId: claims.oid ?? "?" }, {
        details: { credential: choice.kind, why: choice.why, object_id: claims.oid ?? null, app_id: claims.appid ?? null, tenant_id: claims.tid ?? choice.tenantId ?? null },
      }));
      return { findings, facts: { choice, label, objectId: claims.oid, appId: claims.appid ?? choice.clientId, tenantId: claims.tid ?? choice.tenantId } };
    } catch (err) {
      let view = viewAzureError(err);
      // MSAL reports a tenant Entra ID does not know as "endpoints_resolution_error" (its OpenID configuration
      // request got a 400): ask for that document once to read the AADSTS code Entra ID gave.
      if (/endpoints_resolution_error/.test(view.message) && choice.tenantId) {
        const answer = await openIdConfigurationError(ctx.env, choice.tenantId, ctx.options.callTimeoutMs);
        if (answer?.kind === "aad") view = viewAzureError(new Error(answer.text));
        else if (answer?.kind === "network") view = { ...view, network: true, cause: "network_unreachable", message: `${view.message} (${answer.error})` };
      }
      return { findings: [explain(view)] };
    }

    function explain(view: AzureErrorView) {
      const error = errorText(view);
      const args = { tenantId: choice.tenantId ?? "?", clientId: choice.clientId ?? "?", aadsts: view.aadsts ?? "" };
      const reset: Fix = { summary: "Create a new client secret and give its value to Vault (client_secret or AZURE_CLIENT_SECRET).", commands: [`az ad app credential reset --id ${shq(choice.clientId ?? "<CLIENT_ID>")} --append --display-name vault-unseal`], docs: AZUREKEYVAULT_DOCS };
      if (choice.kind === "managed-identity" || choice.kind === "default") {
        if (/Identity not found|identity.*not (?:found|assigned)/i.test(view.message)) {
          const identity = choice.managedIdentity?.resourceId ?? choice.managedIdentity?.clientId ?? "(system-assigned)";
          return ctx.report("fail", "mi-not-assigned", { identity, error: view.message }, {
            cause: "managed_identity_error",
            fix: {
              summary: "Assign the identity to the VM / scale set Vault runs on (AKS: to the node pool, or use workload identity), and set client_id to it when several are assigned.",
              commands: [choice.managedIdentity?.clientId || choice.managedIdentity?.resourceId
                ? `az vm identity assign --name <VM> --resource-group <RESOURCE_GROUP> --identities $(az identity list --query ${shq(`[?clientId=='${choice.managedIdentity?.clientId ?? ""}'].id`)} -o tsv)`
                : "az vm identity assign --name <VM> --resource-group <RESOURCE_GROUP>"],
            },
          });
        }
        if (view.network || /ManagedIdentityCredential[^.]{0,80}(?:unavailable|unreachable|no managed identity endpoint)|network_error|ENETUNREACH|EHOSTUNREACH|ECONNREFUSED/i.test(view.message)) {
          return ctx.report("fail", "mi-unavailable", { error }, { cause: "managed_identity_error", fix: { summary: "Run Vault where a managed identity is available, or give it a client secret / workload identity.", commands: [], docs: AZUREKEYVAULT_DOCS } });
        }
      }
      if (view.network) return ctx.report("error", "network", { error }, { cause: "network_unreachable" });
      if (view.aadsts === "700016") {
        return ctx.report("fail", "app-not-found", args, { cause: "invalid_credentials", fix: { summary: "Use the app's Application (client) ID in the tenant that owns it.", commands: [`az ad app list --app-id ${shq(choice.clientId ?? "<CLIENT_ID>")} --query "[].{name:displayName,appId:appId}"`] } });
      }
      switch (view.cause) {
        case "wrong_tenant":
          return ctx.report("fail", "wrong-tenant", args, { cause: "wrong_tenant", fix: { summary: "Set tenant_id to the directory (tenant) id of the app registration.", commands: [`az ad sp show --id ${shq(choice.clientId ?? "<CLIENT_ID>")} --query appOwnerOrganizationId -o tsv`] } });
        case "invalid_credentials":
          return ctx.report("fail", "invalid-secret", args, { cause: "invalid_credentials", fix: reset });
        case "expired_credentials":
          return ctx.report("fail", "expired-secret", args, { cause: "expired_credentials", fix: reset });
        case "federated_identity_mismatch":
          return ctx.report("fail", "federated-mismatch", { ...args, file: choice.federatedTokenFile ?? "AZURE_FEDERATED_TOKEN_FILE" }, {
            cause: "federated_identity_mismatch",
            fix: { summary: "Make the app's federated credential name the cluster's OIDC issuer and the pod's service account (system:serviceaccount:<namespace>:<name>), audience api://AzureADTokenExchange.", commands: [`az ad app federated-credential list --id ${shq(choice.clientId ?? "<CLIENT_ID>")}`] },
          });
      }
      return ctx.report(view.cause === "unknown" ? "error" : "fail", "token-failed", { label, error }, { cause: view.cause, fix: view.fix });
    }
  },
});
