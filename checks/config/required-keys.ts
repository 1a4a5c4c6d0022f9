// Values the seal's wrapper cannot start without. Vault stops with "Error parsing Seal configuration: <text>".
import { sh } from "../../src/shell.js";
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, sealValue } from "../../src/config/seal-config.js";
import { sealDescriptor } from "../../src/seals/index.js";

export default defineCheck({
  id: "config.required-keys",
  title: "Required seal settings",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["*"],
  messages: {
    "present": "All required settings are present ({keys}).",
    "missing": "{key} is not set, in the seal stanza ({where}) or the environment: Vault fails with \"Error parsing Seal configuration: {vaultError}\".",
    "unknown-type": "No required-settings rules for seal type \"{type}\".",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const descriptor = sealDescriptor(seal.type);
    const required = descriptor?.settings.filter((st) => st.requiredText !== undefined) ?? [];
    if (!descriptor || required.length === 0) return { findings: [ctx.report("skip", "unknown-type", { type: seal.type })] };
    const findings: Finding[] = [];
    for (const { name: key, requiredText: vaultError } of required) {
      // key_not_required lets an awskms/gcpckms seal start without DescribeKey, but Vault still needs the key id to encrypt.
      if (sealValue(seal, key)) continue;
      const vars = descriptor.env.vars.filter(([, k]) => k === key).map(([v]) => v);
      const finder = findValueCommand(seal.type, key, (k) => sealValue(seal, k) || undefined, ctx.env);
      const fixKey = `${key} = "..."   # not known to this run${finder ? ": the command above lists candidates" : ""}`;
      findings.push(ctx.report("fail", "missing", { key, where: formatProvenance(seal.from), vaultError }, {
        cause: "seal_config_error",
        fix: {
          summary: `Add ${key} to the ${seal.type} seal stanza${vars.length ? ` or set ${vars.join(" / ")}` : ""}.`,
          commands: [...(finder ? [finder] : []), `# in ${formatProvenance(seal.from)}, inside seal "${seal.declaredType}" { ... }:\n${fixKey}`],
          docs: `https://developer.hashicorp.com/vault/docs/configuration/seal/${seal.type}`,
        },
      }));
    }
    if (findings.length === 0) findings.push(ctx.report("pass", "present", { keys: required.map((st) => st.name).join(", ") }));
    return { findings, facts: findings.every((f) => f.status === "pass") ? { ok: true as const } : undefined };
  },
});

declare module "../../src/facts.js" {
  interface FactMap {
    /** Published only when every required setting is there. */
    "config.required-keys": { ok: true };
  }
}

/** The read-only command that lists candidates for a missing required value, filled with what the stanza knows. */
function findValueCommand(type: string, key: string, value: (k: string) => string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (type === "awskms" && key === "kms_key_id") {
    const region = value("region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return `aws kms list-aliases${region ? sh` --region ${region}` : ""} --query "Aliases[?TargetKeyId].[AliasName,TargetKeyId]" --output text`;
  }
  if (type === "gcpckms") {
    const project = value("project");
    const location = value("region");
    const ring = value("key_ring");
    if (key === "project") return "gcloud projects list --format='value(projectId)'";
    if (key === "region" && project) return sh`gcloud kms locations list --project ${project}`;
    if (key === "key_ring" && project && location) return sh`gcloud kms keyrings list --location ${location} --project ${project}`;
    if (key === "crypto_key" && project && location && ring) return sh`gcloud kms keys list --keyring ${ring} --location ${location} --project ${project}`;
  }
  return undefined;
}
