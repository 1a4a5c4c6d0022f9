// Where Vault will look for the key: the effective region and where it came from, the form of kms_key_id,
// and whether an ARN points at another region or carries stray characters.
// Region order (go-secure-stdlib awsutil region.go GetRegion; docs/vault-seal-facts.md#awskms-region): config/env
// value, else the shared config profile, else instance metadata.
import { readBoundedText } from "../../src/fs/read-bounded.js";
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance, sealValue } from "../../src/config/seal-config.js";
import { parseKeyId } from "../../src/aws/key-id.js";
import { strayCharacters } from "../../src/config/stray-characters.js";
import { imdsEndpoint, probeImds } from "../../src/aws/imds.js";
import { sharedConfigFile } from "../../src/aws/credential-sources.js";
import type { RegionKeyFacts } from "../../src/aws/session.js";

// What AWS accepts, so that a value it would reject fails here, with the pattern, instead of passing:
// - alias names: AWS KMS API Reference, CreateAlias, AliasName "Pattern: ^alias/[a-zA-Z0-9/_-]+$", 1-256 characters
//   (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html);
// - key ARNs: arn:<partition>:kms:<region>:<account>:key/<key id>, the key id a UUID or mrk-<32 hex>
//   (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN);
// - regions: the SDK builds the endpoint host from the region and refuses one that is not a DNS label:
//   @smithy/core 3.41.0 src/submodules/config/config-resolver/endpointsConfig/utils/getEndpointFromRegion.ts
//   ("Invalid region in client config", /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])$/).
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const KEY_RESOURCE = /^key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;
const REGION = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])$/;

function invalidKeyId(key: ReturnType<typeof parseKeyId>): string | undefined {
  if (key.form === "alias-name" && !ALIAS_NAME.test(key.raw)) return "alias/ followed by 1-250 of a-z A-Z 0-9 / _ - (AWS KMS AliasName pattern ^alias/[a-zA-Z0-9/_-]+$)";
  if (key.form === "alias-arn" && !ALIAS_NAME.test(key.raw.slice(key.raw.indexOf(":alias/") + 1))) return "arn:aws:kms:<region>:<account>:alias/<name>, the name 1-250 of a-z A-Z 0-9 / _ - (AWS KMS AliasName pattern ^alias/[a-zA-Z0-9/_-]+$)";
  if (key.form === "key-arn" && !KEY_RESOURCE.test(key.raw.slice(key.raw.indexOf(":key/") + 1))) return "arn:aws:kms:<region>:<account>:key/<key id>, the key id a UUID or mrk-<32 hex digits>";
  return undefined;
}

function regionFromSharedConfig(env: NodeJS.ProcessEnv, profile: string): string | undefined {
  try {
    const text = readBoundedText(sharedConfigFile(env), "aws-shared-file");
    const header = profile === "default" ? /^\[\s*(?:profile\s+)?default\s*\]/ : new RegExp(`^\\[\\s*profile\\s+${profile.replace(/[^\w-]/g, "")}\\s*\\]`);
    let inProfile = false;
    for (const line of text.split(/\r?\n/)) {
      if (/^\s*\[/.test(line)) inProfile = header.test(line.trim());
      else if (inProfile) {
        const m = /^\s*region\s*=\s*(\S+)/.exec(line);
        if (m) return m[1];
      }
    }
  } catch {
    /* no shared config file */
  }
  return undefined;
}

export default defineCheck({
  id: "awskms.region-key",
  title: "Region and key id",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["awskms"],
  messages: {
    "region": "Region {region} (from {from}); key {key} ({form}).",
    "no-region": "No region: not in the seal stanza, AWS_REGION, AWS_DEFAULT_REGION or the shared config, and instance metadata did not answer. Vault fails with \"unable to retrieve region from instance metadata\".",
    "arn-region-mismatch": "kms_key_id is an ARN in region {arnRegion}, but Vault will call KMS in {region} (from {from}): the key will not be found there.",
    "stray-characters": "kms_key_id {raw} ({where}) contains stray characters (quotes, commas or spaces); Vault sends them as part of the id. Did you mean {cleaned}?",
    "unknown-form": "kms_key_id \"{raw}\" ({where}) is not a key id, key ARN, alias name (alias/...) or alias ARN.",
    "invalid-key-id": "kms_key_id {raw} ({where}) is not one AWS accepts: expected {pattern}.",
    "invalid-region": "Region {region} (from {from}) is not one AWS accepts: a region is a DNS label of letters, digits and '-' (for example us-east-1), at most 63 characters.",
    "endpoint": "KMS endpoint {endpoint} (from {from}).",
    "missing-key": "No kms_key_id: nothing to check.",
  },
  async run(ctx) {
    const seal = ctx.seal!;
    const findings: Finding[] = [];
    const keyValue = seal.values.kms_key_id;
    if (!keyValue?.value) return { findings: [ctx.report("fail", "missing-key", {}, { cause: "seal_config_error" })] };
    const where = formatProvenance(keyValue.from);
    const stray = strayCharacters(keyValue.value);
    if (stray) {
      findings.push(ctx.report("fail", "stray-characters", { raw: JSON.stringify(keyValue.value), where, cleaned: stray }, {
        cause: "seal_config_error",
        fix: { summary: `Set kms_key_id to ${stray}.`, commands: [`# in ${where}:\nkms_key_id = "${stray}"`] },
      }));
    }
    const key = parseKeyId(stray ?? keyValue.value);
    if (key.form === "unknown") findings.push(ctx.report("fail", "unknown-form", { raw: keyValue.value, where }, { cause: "seal_config_error" }));
    const pattern = invalidKeyId(key);
    if (pattern) findings.push(ctx.report("fail", "invalid-key-id", { raw: JSON.stringify(key.raw), where, pattern }, { cause: "seal_config_error" }));

    let region = sealValue(seal, "region");
    let from = seal.values.region ? formatProvenance(seal.values.region.from) : "";
    if (!region) {
      const profile = sealValue(seal, "shared_creds_profile") ?? ctx.env.AWS_PROFILE ?? "default";
      region = regionFromSharedConfig(ctx.env, profile);
      from = region ? `shared config profile ${profile}` : "";
    }
    if (!region) {
      const endpoint = imdsEndpoint(ctx.env);
      if (endpoint) {
        const probe = await probeImds(endpoint, ctx.options.callTimeoutMs);
        if (probe.region) { region = probe.region; from = "instance metadata"; }
      }
    }
    if (!region) {
      findings.push(ctx.report("fail", "no-region", {}, {
        cause: "seal_config_error",
        fix: { summary: "Set the region in the seal stanza (or AWS_REGION where Vault runs).", commands: key.region
          ? [`# in ${formatProvenance(seal.from)}, inside seal "awskms" { ... }:\nregion = ${JSON.stringify(key.region)}`]
          : ["aws configure get region   # the region of this machine's AWS profile, if it is the key's", `# in ${formatProvenance(seal.from)}, inside seal "awskms" { ... }:\nregion = "..."   # the key's region: not known to this run`] },
      }));
      return { findings };
    }
    if (!REGION.test(region)) {
      findings.push(ctx.report("fail", "invalid-region", { region: JSON.stringify(region), from }, { cause: "seal_config_error" }));
      return { findings };
    }
    if (key.region && key.region !== region) {
      findings.push(ctx.report("fail", "arn-region-mismatch", { arnRegion: key.region, region, from }, {
        cause: "wrong_region",
        fix: {
          summary: `Make the region match the key's region ${key.region}.`,
          // AWS_REGION / AWS_DEFAULT_REGION override the stanza: change the value where it really comes from.
          commands: /^env AWS_(DEFAULT_)?REGION$/.test(from)
            ? [`# ${from} overrides region in the stanza: change it where Vault's environment is set (systemd unit, Helm values, pod spec):`, `${from.slice(4)}=${key.region}`]
            : [`# in ${formatProvenance(seal.values.region?.from ?? seal.from)}:\nregion = ${JSON.stringify(key.region)}`],
        },
      }));
    }
    const endpointValue = seal.values.endpoint;
    if (endpointValue?.value) findings.push(ctx.report("pass", "endpoint", { endpoint: endpointValue.value, from: formatProvenance(endpointValue.from) }));
    findings.unshift(ctx.report("pass", "region", { region, from, key: key.raw, form: key.form }, {
      details: { region, region_from: from, kms_key_id: key.raw, form: key.form, ...(key.account ? { account: key.account } : {}) },
    }));
    const blocking = findings.some((f) => f.status === "fail" && f.code !== "arn-region-mismatch");
    return {
      findings,
      facts: blocking ? undefined : { region, regionFrom: from, key, kmsEndpoint: endpointValue?.value || undefined, keyNotRequired: sealValue(seal, "key_not_required") === "true" },
    };
  },
});
