// DescribeKey, the call Vault itself makes at startup ("error fetching AWS KMS wrapping key information").
// The key must be Enabled, symmetric and for ENCRYPT_DECRYPT; Vault cannot use asymmetric or HMAC keys.
import { defineCheck, type CheckContext, type Finding, type Fix } from "../../src/check.js";
import { sh } from "../../src/shell.js";
import { awsNetworkFix, unreachableText } from "../../src/fixes/network.js";
import { callAws, createKmsClient, type AwsClientOptions } from "../../src/clients/aws.js";
import { editDistance } from "../../src/config/seal-schema.js";
import { accessDeniedFix, clientOptions, viewAwsError, type CredentialFacts, type KeyFacts, type RegionKeyFacts } from "../../src/aws/session.js";

export default defineCheck({
  id: "awskms.key-state",
  title: "Key state",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials"],
  messages: {
    "enabled": "Key {arn} is Enabled ({spec}, {usage}, {manager} managed).",
    "disabled": "Key {arn} is Disabled: Vault cannot encrypt or decrypt with it, so it cannot unseal.",
    "pending-deletion": "Key {arn} is pending deletion on {date}: Vault cannot unseal now, and after that date the sealed data is lost forever.",
    "pending-import": "Key {arn} is waiting for imported key material (PendingImport).",
    "other-state": "Key {arn} is in state {state}.",
    "wrong-usage": "Key {arn} is {spec} / {usage}: Vault's awskms seal needs a symmetric ENCRYPT_DECRYPT key (SYMMETRIC_DEFAULT).",
    "aws-managed": "Key {arn} is AWS managed (aws/...): it can only be used by the AWS service that created it.",
    "multi-region": "Key {arn} is a multi-Region key: replicas in other regions can decrypt for disaster recovery.",
    "not-found": "DescribeKey: {error}. Vault fails at startup with the same error.",
    "not-found-similar": "DescribeKey: {error}. {region} has similar aliases ({similar}): kms_key_id is probably misspelt or points at a renamed alias.",
    "not-found-region": "DescribeKey: {error}. No alias in {region} resembles {key}: the key most likely lives in another region (the region comes from {from}).",
    "denied": "DescribeKey was denied: {error}. Vault makes this call at startup and fails with \"error fetching AWS KMS wrapping key information\".",
    "denied-not-required": "DescribeKey was denied ({error}); key_not_required = true lets Vault start without it.",
    "failed": "DescribeKey failed: {error}",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const opts = clientOptions(ctx, region, creds);
    const { DescribeKeyCommand } = await import("@aws-sdk/client-kms");
    const kms = await createKmsClient(opts);
    const keyId = region.key.raw;
    try {
      const out = await callAws("kms", opts, (abortSignal) => kms.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }));
      const m = out.KeyMetadata!;
      const arn = m.Arn ?? keyId;
      // A SYMMETRIC_DEFAULT key can only be ENCRYPT_DECRYPT (https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html),
      // so a DescribeKey answer without KeyUsage (moto 5.2.5 leaves it out when CreateKey named none) is not a wrong usage.
      const usage = m.KeyUsage ?? (m.KeySpec === "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : undefined);
      const args = { arn, spec: m.KeySpec ?? "?", usage: usage ?? "?", manager: (m.KeyManager ?? "?").toLowerCase() === "aws" ? "AWS" : "customer", state: m.KeyState ?? "?" };
      const details = { key_arn: arn, key_state: m.KeyState ?? null, key_spec: m.KeySpec ?? null, key_usage: m.KeyUsage ?? null, key_manager: m.KeyManager ?? null, origin: m.Origin ?? null, multi_region: m.MultiRegion ?? false };
      const findings: Finding[] = [];
      const cmd = (sub: string) => `aws kms ${sub} ` + sh`--key-id ${arn} --region ${region.region}`;
      switch (m.KeyState) {
        case "Enabled":
          break;
        case "Disabled":
          findings.push(ctx.report("fail", "disabled", args, { cause: "key_disabled", details, fix: { summary: "Enable the key.", commands: [cmd("enable-key")] } }));
          break;
        case "PendingDeletion":
          findings.push(ctx.report("fail", "pending-deletion", { ...args, date: m.DeletionDate?.toISOString() ?? "?" }, {
            cause: "key_pending_deletion", details,
            fix: { summary: "Cancel the deletion (this leaves the key Disabled), then enable it.", commands: [cmd("cancel-key-deletion"), cmd("enable-key")] },
          }));
          break;
        case "PendingImport":
          findings.push(ctx.report("fail", "pending-import", args, { cause: "key_disabled", details }));
          break;
        default:
          findings.push(ctx.report("fail", "other-state", args, { cause: "key_disabled", details }));
      }
      if (usage !== "ENCRYPT_DECRYPT" || m.KeySpec !== "SYMMETRIC_DEFAULT") {
        findings.push(ctx.report("fail", "wrong-usage", args, {
          cause: "key_wrong_usage_or_spec", details,
          fix: { summary: "Create a symmetric encryption key for Vault and point kms_key_id at it (keys cannot change their spec).", commands: [sh`aws kms create-key --key-spec SYMMETRIC_DEFAULT --key-usage ENCRYPT_DECRYPT --description ${"Vault auto-unseal"} --region ${region.region}`] },
        }));
      }
      if (m.KeyManager === "AWS") findings.push(ctx.report("warn", "aws-managed", args, { details }));
      if (m.MultiRegion) findings.push(ctx.report("pass", "multi-region", args));
      if (findings.every((f) => f.status !== "fail")) findings.unshift(ctx.report("pass", "enabled", args, { details }));
      const usable = findings.every((f) => f.status !== "fail");
      return {
        findings,
        facts: usable ? { keyArn: arn, keyId: m.KeyId ?? keyId, keyState: m.KeyState ?? "", keyUsage: usage, keySpec: m.KeySpec, keyManager: m.KeyManager } : undefined,
      };
    } catch (err) {
      const view = viewAwsError(err);
      const error = `${view.name}: ${view.message}`;
      if (view.network) return { findings: [ctx.report("error", "failed", { error: unreachableText("kms", opts, view.name) }, { cause: view.cause, fix: awsNetworkFix("kms", opts) })] };
      if (view.name === "NotFoundException") return { findings: [await notFound(ctx, kms, opts, region, error)] };
      if (view.name === "AccessDeniedException") {
        return { findings: [ctx.report(region.keyNotRequired ? "warn" : "fail", region.keyNotRequired ? "denied-not-required" : "denied", { error }, {
          cause: "permission_denied",
          fix: accessDeniedFix(view.message, keyId, undefined),
        })] };
      }
      return { findings: [ctx.report("fail", "failed", { error }, { cause: view.cause, fix: view.fix })] };
    } finally {
      kms.destroy();
    }
  },
});

/**
 * NotFoundException for an alias has two usual causes: a wrong alias, or the right alias in another region.
 * ListAliases in this region (read-only) tells them apart: a similar alias here points at a typo.
 */
async function notFound(ctx: CheckContext, kms: Awaited<ReturnType<typeof createKmsClient>>, opts: AwsClientOptions, region: RegionKeyFacts, error: string): Promise<Finding> {
  const key = region.key.raw;
  const alias = region.key.form === "alias-name" ? key : region.key.form === "alias-arn" ? key.slice(key.indexOf("alias/")) : undefined;
  const listFix = { summary: `Find the key: list the aliases in ${region.region}, or look in the region where it was created.`, commands: [sh`aws kms list-aliases --region ${region.region} --query "Aliases[].AliasName"`, findKeyRegionCommand(key)] };
  if (!alias) return ctx.report("fail", "not-found", { error }, { cause: "key_not_found", fix: listFix });
  try {
    const { ListAliasesCommand } = await import("@aws-sdk/client-kms");
    const names: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 3; page++) {
      const out = await callAws("kms", opts, (abortSignal) => kms.send(new ListAliasesCommand({ Marker: marker, Limit: 100 }), { abortSignal }));
      names.push(...(out.Aliases ?? []).map((a) => a.AliasName ?? "").filter((n) => n && !n.startsWith("alias/aws/")));
      if (!out.Truncated) break;
      marker = out.NextMarker;
    }
    const base = alias.slice("alias/".length);
    const similar = names.filter((n) => { const b = n.slice("alias/".length); return b.includes(base) || base.includes(b) || editDistance(b, base) <= 3; });
    if (similar.length > 0) {
      return ctx.report("fail", "not-found-similar", { error, region: region.region, similar: similar.join(", ") }, {
        cause: "key_not_found",
        details: { aliases_in_region: names.length, similar },
        fix: { summary: `Point kms_key_id at the alias that exists (or create ${alias} for the right key).`, commands: [`# in the seal stanza:\nkms_key_id = ${JSON.stringify(similar[0])}`, `# or create ${alias} for the key Vault used (its id is in Vault's log, or: aws kms list-keys):`, sh`aws kms create-alias --alias-name ${alias} --target-key-id ` + "\"$KEY_ID\"" + sh` --region ${region.region}`] },
      });
    }
    return ctx.report("fail", "not-found-region", { error, region: region.region, key, from: region.regionFrom }, {
      cause: "wrong_region",
      details: { aliases_in_region: names.length },
      fix: wrongRegionFix(key, region),
    });
  } catch {
    return ctx.report("fail", "not-found", { error }, { cause: "key_not_found", fix: listFix });
  }
}

/** Every enabled region, asked for the key (read-only): the command prints the region that has it. */
function findKeyRegionCommand(key: string): string {
  return "for r in $(aws ec2 describe-regions --query 'Regions[].RegionName' --output text); do " +
    sh`aws kms describe-key --key-id ${key}` + " --region \"$r\" --query KeyMetadata.Arn --output text 2>/dev/null && KEY_REGION=$r; done; echo \"KEY_REGION=$KEY_REGION\"";
}

/**
 * The key is in another region: find it, then change the region where its value really comes from. Vault reads
 * AWS_REGION / AWS_DEFAULT_REGION before the stanza (go-secure-stdlib awsutil GetRegion), so editing the file does
 * nothing while the variable is set.
 */
function wrongRegionFix(key: string, region: RegionKeyFacts): Fix {
  const fromEnv = /^env (AWS_REGION|AWS_DEFAULT_REGION)$/.exec(region.regionFrom)?.[1];
  const set = fromEnv
    ? [`# ${region.regionFrom} decides the region (it overrides region in the stanza): change it where Vault's environment is set (systemd unit, Helm values, pod spec):`, `${fromEnv}="$KEY_REGION"`]
    : [`# in ${region.regionFrom || "the seal stanza"}:\nregion = "..."   # the KEY_REGION printed above`];
  return {
    summary: `Find the region that holds ${key} and make Vault use it (or create the key in ${region.region}).`,
    commands: [findKeyRegionCommand(key), ...set],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms",
  };
}
