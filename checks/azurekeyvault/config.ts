// The vault URL Vault builds from vault_name, environment and resource (go-kms-wrapping wrappers/azurekeyvault
// azurekeyvault.go SetConfig + buildBaseURL: https://<vault_name>.<resource or the environment's Key Vault DNS
// suffix>/), with where each value came from (the environment beats the file in both forks). Catches an unknown
// environment (Vault: `autorest/azure: There is no cloud environment matching the name "X"`), a resource given
// as a URL (it replaces the DNS suffix, so Vault dials https://v.https://vault.azure.net//), invalid names, and a
// sovereign cloud without AZURE_AUTHORITY_HOST (environment does not move the Entra ID authority).
// Missing vault_name / key_name are config.required-keys' findings; this check then skips.
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, type ResolvedValue } from "../../src/config/seal-config.js";
import { shq } from "../../src/shell.js";
import { cloudFromName, isValidKeyName, isValidVaultName, KNOWN_ENVIRONMENTS, vaultUrlOf } from "../../src/azure/environment.js";
import { AZUREKEYVAULT_DOCS } from "../../src/azure/session.js";

function setCommand(key: string, v: ResolvedValue | undefined, value: string): string {
  if (v?.from.kind === "env") return value === "" ? `unset ${v.from.name}` : `export ${v.from.name}=${shq(value)}`;
  return `# in ${v ? formatProvenance(v.from) : "the seal stanza"}:\n${key} = ${JSON.stringify(value)}`;
}

export default defineCheck({
  id: "azurekeyvault.config",
  title: "Vault URL, key name and cloud",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["azurekeyvault"],
  needs: ["config.required-keys"],
  messages: {
    "values": "Vault will use key {keyName} in {vaultUrl} ({environment}).",
    "unknown-environment": "environment \"{raw}\" ({where}) is not a cloud Vault knows: it fails at startup with `autorest/azure: There is no cloud environment matching the name \"{upper}\"`. Known: {known}.",
    "resource-is-url": "resource \"{raw}\" ({where}) is a URL, but Vault uses it as the DNS suffix of the vault: it would dial {badUrl}. Did you mean \"{suffix}\"?",
    "resource-overrides": "resource \"{raw}\" ({where}) replaces the {environment} Key Vault suffix {suffix}: Vault dials {vaultUrl}.",
    "invalid-vault-name": "vault_name \"{raw}\" ({where}) is not a Key Vault name (3-24 letters, digits and hyphens, starting with a letter).",
    "invalid-key-name": "key_name \"{raw}\" ({where}) is not a Key Vault key name (1-127 letters, digits and hyphens).",
    "authority-mismatch": "environment is {environment}, but the Entra ID authority stays {authority} (AZURE_AUTHORITY_HOST is not set): Vault's token request goes to the public cloud and fails.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const server = ctx.options.target?.server ?? "vault";
    const val = (k: string) => seal.values[k];
    const where = (k: string) => (val(k) ? formatProvenance(val(k)!.from) : "default");
    const findings: Finding[] = [];
    const envRaw = val("environment")?.value ?? "";
    const cloud = cloudFromName(envRaw);
    if (!cloud) {
      findings.push(ctx.report("fail", "unknown-environment", { raw: envRaw, where: where("environment"), upper: envRaw.toUpperCase(), known: KNOWN_ENVIRONMENTS.join(", ") }, {
        cause: "seal_config_error",
        fix: { summary: "Use a cloud name go-autorest knows (or remove environment for the public cloud).", commands: [setCommand("environment", val("environment"), "AzurePublicCloud")], docs: AZUREKEYVAULT_DOCS },
      }));
    }
    const resourceRaw = val("resource")?.value ?? "";
    const vaultName = val("vault_name")?.value ?? "";
    const keyName = val("key_name")?.value ?? "";
    const keyNotRequired = val("key_not_required")?.value === "true";
    let suffix = cloud?.keyVaultDnsSuffix ?? "vault.azure.net";
    if (resourceRaw) {
      if (/^[a-z]+:\/\//i.test(resourceRaw) || resourceRaw.includes("/")) {
        const host = (() => {
          try {
            return new URL(resourceRaw).host;
          } catch {
            return resourceRaw.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
          }
        })();
        findings.push(ctx.report("fail", "resource-is-url", { raw: resourceRaw, where: where("resource"), badUrl: vaultUrlOf(vaultName, resourceRaw), suffix: host }, {
          cause: "seal_config_error",
          fix: { summary: `Set resource to the DNS suffix only ("${host}"), or remove it to use the environment's.`, commands: [setCommand("resource", val("resource"), host)], docs: AZUREKEYVAULT_DOCS },
        }));
      } else if (resourceRaw !== suffix) {
        findings.push(ctx.report("warn", "resource-overrides", { raw: resourceRaw, where: where("resource"), environment: cloud?.name ?? envRaw, suffix, vaultUrl: vaultUrlOf(vaultName, resourceRaw) }, {
          fix: { summary: "resource is the Key Vault DNS suffix, not the token audience; remove it unless the vault really lives under this suffix.", commands: [setCommand("resource", val("resource"), "")] },
        }));
        suffix = resourceRaw;
      }
    }
    if (!isValidVaultName(vaultName)) {
      findings.push(ctx.report("fail", "invalid-vault-name", { raw: vaultName, where: where("vault_name") }, { cause: "seal_config_error", fix: { summary: "Use the vault's name (not its URL or resource id).", commands: [`az keyvault list --query "[].name" -o tsv`] } }));
    }
    if (keyName !== "" && !isValidKeyName(keyName)) {
      findings.push(ctx.report("fail", "invalid-key-name", { raw: keyName, where: where("key_name") }, { cause: "seal_config_error", fix: { summary: "Use the key's name (not its kid URL).", commands: [`az keyvault key list --vault-name ${shq(vaultName)} --query "[].name" -o tsv`] } }));
    }
    if (cloud && cloud.name !== "AzurePublicCloud" && !ctx.env.AZURE_AUTHORITY_HOST) {
      findings.push(ctx.report("warn", "authority-mismatch", { environment: cloud.name, authority: "https://login.microsoftonline.com" }, {
        fix: { summary: `Set AZURE_AUTHORITY_HOST for Vault's process to ${cloud.authorityHost}.`, commands: [`export AZURE_AUTHORITY_HOST=${shq(cloud.authorityHost)}`] },
      }));
    }
    if (findings.some((f) => f.status === "fail")) return { findings };
    const vaultUrl = vaultUrlOf(vaultName, suffix);
    const from: Record<string, string> = {};
    for (const k of Object.keys(seal.values)) from[k] = where(k);
    findings.unshift(ctx.report("pass", "values", { keyName: keyName || "(none: key_not_required)", vaultUrl, environment: cloud!.name }, {
      details: { vault_name: vaultName, vault_name_from: where("vault_name"), key_name: keyName, key_name_from: where("key_name"), vault_url: vaultUrl, environment: cloud!.name },
    }));
    return { findings, facts: { server, vaultName, keyName, vaultUrl, cloud: cloud!, dnsSuffix: suffix, keyNotRequired, from } };
  },
});
