// GetKey(key_name, latest): the call Vault makes at startup (go-kms-wrapping wrappers/azurekeyvault SetConfig:
// "error fetching Azure Key Vault wrapper key information: ..."), and what Vault does not check but needs later:
// an RSA key (WrapKey uses RSA-OAEP-256), key_ops with wrapKey and unwrapKey, enabled, inside nbf/exp.
import { defineCheck, type Finding } from "../../src/check.js";
import { shq } from "../../src/shell.js";
import {
  AZUREKEYVAULT_DOCS, callOptions, errorText, grantFix, isFirewallDenied, isPermissionDenied, openCredential, openKeyClient, viewAzureError,
  type AzureKeyFacts,
} from "../../src/azure/session.js";

const RSA_TYPES = ["RSA", "RSA-HSM"];
const NEEDED_OPS = ["wrapKey", "unwrapKey"];

export default defineCheck({
  id: "azurekeyvault.key",
  title: "Key: exists, enabled, RSA, wrapKey and unwrapKey",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["azurekeyvault"],
  needs: ["azurekeyvault.config", "azurekeyvault.credential"],
  uses: ["azurekeyvault.vault-properties"],
  messages: {
    "ok": "Key {name}: {kty} {bits} bits, enabled, key_ops {ops}; latest version {version}.",
    "not-found": "Key {name} does not exist in {vaultUrl}: Vault fails at startup with \"error fetching Azure Key Vault wrapper key information: ... KeyNotFound\".",
    "not-found-not-required": "Key {name} does not exist in {vaultUrl}; key_not_required = true lets Vault start, but it cannot encrypt or unseal with it.",
    "disabled": "Key {name} is disabled: Key Vault refuses every operation ({error}), so Vault neither starts nor unseals.",
    "expired": "Key {name} expired on {exp}: Key Vault refuses wrapKey (init, rekey, seal re-wrapping) with it.",
    "not-yet-valid": "Key {name} is not valid before {nbf}: Key Vault refuses every operation until then.",
    "wrong-type": "Key {name} is {kty}: Vault wraps with RSA-OAEP-256, which needs an RSA or RSA-HSM key.",
    "key-ops": "Key {name} allows only {ops}: Vault needs {missing}, so {what} fails with a 403 from Key Vault.",
    "get-denied": "{principal} may not get key {name}: {error}. Vault's startup GetKey fails with \"error fetching Azure Key Vault wrapper key information\".",
    "get-denied-not-required": "{principal} may not get key {name} ({error}); key_not_required = true skips Vault's startup GetKey.",
    "firewall": "The vault's firewall refused the doctor's address: {error}. Vault's host must be allowed too (its address or subnet, or a private endpoint).",
    "wrong-tenant": "The vault belongs to another tenant than the credential's: {error}",
    "failed": "GetKey failed: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("azurekeyvault.config");
    const creds = ctx.need("azurekeyvault.credential");
    const vault = ctx.fact("azurekeyvault.vault-properties");
    const name = cfg.keyName;
    const credential = await openCredential(ctx, creds.choice);
    const client = await openKeyClient(ctx, cfg, credential);
    let key;
    try {
      key = await client.getKey(name, callOptions(ctx, 3));
    } catch (err) {
      const view = viewAzureError(err);
      const error = errorText(view);
      const principal = creds.objectId ? `Object id ${creds.objectId}` : creds.label;
      if (view.network) return { findings: [ctx.report("error", "failed", { error }, { cause: view.cause })] };
      if (view.status === 404 || view.code === "KeyNotFound") {
        const notRequired = cfg.keyNotRequired;
        return { facts: { found: false } satisfies AzureKeyFacts, findings: [ctx.report(notRequired ? "warn" : "fail", notRequired ? "not-found-not-required" : "not-found", { name, vaultUrl: cfg.vaultUrl }, {
          cause: "key_not_found",
          fix: { summary: "Set key_name to the key Vault was initialised with (recover it if it was deleted); create a key only for a new Vault.", commands: [`az keyvault key list --vault-name ${shq(cfg.vaultName)} --query "[].name" -o tsv`, `az keyvault key list-deleted --vault-name ${shq(cfg.vaultName)} --query "[].name" -o tsv`, `az keyvault key create --vault-name ${shq(cfg.vaultName)} --name ${shq(name)} --kty RSA --size 3072 --ops wrapKey unwrapKey   # new Vault only`] },
        })] };
      }
      if (isFirewallDenied(view)) return { findings: [ctx.report("fail", "firewall", { error }, { cause: "network_denied", fix: { summary: "Allow Vault's outbound address through the vault firewall (or use a private endpoint).", commands: [`az keyvault network-rule add --name ${shq(cfg.vaultName)} --ip-address <VAULT_OUTBOUND_IP>/32`] } })] };
      if (view.status === 403 && /disabled/i.test(`${view.innerCode} ${view.message}`)) {
        return { facts: { found: true, enabled: false } satisfies AzureKeyFacts, findings: [ctx.report("fail", "disabled", { name, error }, { cause: "key_disabled", fix: enableFix(cfg.vaultName, name) })] };
      }
      if (isPermissionDenied(view)) {
        const notRequired = cfg.keyNotRequired;
        return { facts: { found: true, getDenied: true } satisfies AzureKeyFacts, findings: [ctx.report(notRequired ? "warn" : "fail", notRequired ? "get-denied-not-required" : "get-denied", { principal, name, error }, { cause: "permission_denied", fix: grantFix(cfg, creds, vault, "Let Vault's identity read the key.") })] };
      }
      if (/tenant/i.test(view.message) && (view.status === 401 || /configured to acquire tokens for tenant|AADSTS/i.test(view.message))) {
        return { findings: [ctx.report("fail", "wrong-tenant", { error }, { cause: "wrong_tenant", fix: { summary: "Use a credential of the tenant the vault belongs to (tenant_id), or move the vault.", commands: [`az keyvault show --name ${shq(cfg.vaultName)} --query properties.tenantId -o tsv`] } })] };
      }
      return { findings: [ctx.report(view.cause === "unknown" ? "error" : "fail", "failed", { error }, { cause: view.cause, fix: view.fix })] };
    }
    const kty = String(key.keyType ?? key.key?.kty ?? "?");
    const ops = (key.keyOperations ?? key.key?.keyOps ?? []).map(String);
    const version = key.properties.version ?? "";
    const bits = key.key?.n ? key.key.n.length * 8 : 0;
    const enabled = key.properties.enabled !== false;
    const now = Date.now();
    const exp = key.properties.expiresOn;
    const nbf = key.properties.notBefore;
    const facts: AzureKeyFacts = { found: true, version, kty, keyOps: ops, enabled };
    const findings: Finding[] = [];
    const details = { kid: key.id ?? null, kty, bits, key_ops: ops, enabled, exp: exp?.toISOString() ?? null, nbf: nbf?.toISOString() ?? null, version };
    if (!enabled) findings.push(ctx.report("fail", "disabled", { name, error: "enabled = false" }, { cause: "key_disabled", details, fix: enableFix(cfg.vaultName, name) }));
    if (!RSA_TYPES.includes(kty)) {
      findings.push(ctx.report("fail", "wrong-type", { name, kty }, { cause: "key_wrong_usage_or_spec", details, fix: { summary: "Create an RSA key for Vault (a key's type cannot change) and set key_name to it; only for a new Vault or through seal migration.", commands: [`az keyvault key create --vault-name ${shq(cfg.vaultName)} --name vault-unseal --kty RSA --size 3072 --ops wrapKey unwrapKey`] } }));
    }
    const missing = NEEDED_OPS.filter((o) => !ops.includes(o));
    if (ops.length > 0 && missing.length > 0) {
      const what = missing.length === 2 ? "encrypting (init, rekey) and unsealing" : missing[0] === "wrapKey" ? "encrypting (init, rekey, seal re-wrapping)" : "unsealing";
      findings.push(ctx.report("fail", "key-ops", { name, ops: ops.join(", ") || "nothing", missing: missing.join(" and "), what }, {
        cause: "key_wrong_usage_or_spec", details,
        fix: { summary: "Allow the operations Vault uses on the key.", commands: [`az keyvault key set-attributes --vault-name ${shq(cfg.vaultName)} --name ${shq(name)} --ops ${[...new Set([...ops, ...NEEDED_OPS])].map(shq).join(" ")}`] },
      }));
    }
    if (exp && exp.getTime() < now) {
      findings.push(ctx.report("fail", "expired", { name, exp: exp.toISOString() }, { cause: "key_expired", details, fix: { summary: "Move the expiry date (or remove it).", commands: [`az keyvault key set-attributes --vault-name ${shq(cfg.vaultName)} --name ${shq(name)} --expires ${new Date(now + 365 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z")}`] } }));
    }
    if (nbf && nbf.getTime() > now) {
      findings.push(ctx.report("fail", "not-yet-valid", { name, nbf: nbf.toISOString() }, { cause: "key_disabled", details, fix: { summary: "Move the activation date to now.", commands: [`az keyvault key set-attributes --vault-name ${shq(cfg.vaultName)} --name ${shq(name)} --not-before ${new Date(now).toISOString().replace(/\.\d+Z$/, "Z")}`] } }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "ok", { name, kty, bits, ops: ops.join(", "), version }, { details }));
    return { findings, facts };
  },
});

function enableFix(vaultName: string, name: string) {
  return { summary: "Enable the key.", commands: [`az keyvault key set-attributes --vault-name ${shq(vaultName)} --name ${shq(name)} --enabled true`], docs: AZUREKEYVAULT_DOCS };
}
