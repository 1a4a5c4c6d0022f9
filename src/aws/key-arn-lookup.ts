// Policies are evaluated against the key ARN, never an alias
// (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html). When DescribeKey was denied the
// key-state check has no ARN to share, so: an ARN or key id in kms_key_id speaks for itself; an alias is looked up
// with kms:ListAliases (TargetKeyId); failing that, KMS's own AccessDenied names the key ("... on resource: <arn>").
import type { KMSClient } from "@aws-sdk/client-kms";
import { callAws, type AwsClientOptions } from "../clients/aws.js";
import type { KeyIdentifier } from "./key-id.js";
import { resourceArnIn, viewAwsError } from "./session.js";

export interface KeyArnLookup {
  keyArn?: string;
  /** How it was found, for the report. */
  via?: "kms_key_id" | "ListAliases" | "DescribeKey denial";
  error?: string;
  /** The troubleshooting cause of the error that kept the ARN hidden (DescribeKey's, else the network's). */
  cause?: string;
}

function keyArnOf(partition: string, region: string, account: string, keyId: string): string {
  return `arn:${partition}:kms:${region}:${account}:key/${keyId}`;
}

export async function lookUpKeyArn(kms: KMSClient, opts: AwsClientOptions, key: KeyIdentifier, region: string, callerAccount: string): Promise<KeyArnLookup> {
  const partition = key.partition ?? "aws";
  const account = key.account || callerAccount;
  if (key.form === "key-arn") return { keyArn: key.raw, via: "kms_key_id" };
  if (key.form === "key-id" || key.form === "multi-region-key-id") return { keyArn: keyArnOf(partition, region, account, key.raw), via: "kms_key_id" };
  const alias = key.form === "alias-arn" ? key.raw.slice(key.raw.indexOf("alias/")) : key.form === "alias-name" ? key.raw : undefined;
  const errors: string[] = [];
  let cause: string | undefined;
  if (alias) {
    try {
      const { ListAliasesCommand } = await import("@aws-sdk/client-kms");
      let marker: string | undefined;
      for (let page = 0; page < 3; page++) {
        const out = await callAws("kms", opts, (abortSignal) => kms.send(new ListAliasesCommand({ Marker: marker, Limit: 100 }), { abortSignal }));
        const hit = (out.Aliases ?? []).find((a) => a.AliasName === alias && a.TargetKeyId);
        if (hit) return { keyArn: keyArnOf(partition, region, account, hit.TargetKeyId!), via: "ListAliases" };
        if (!out.Truncated) break;
        marker = out.NextMarker;
      }
      errors.push(`ListAliases has no ${alias}`);
    } catch (err) {
      const view = viewAwsError(err);
      if (view.network) return { error: `${view.name}: ${view.message}`, cause: view.cause };
      errors.push(`ListAliases: ${view.name}`);
    }
  }
  try {
    const { DescribeKeyCommand } = await import("@aws-sdk/client-kms");
    const out = await callAws("kms", opts, (abortSignal) => kms.send(new DescribeKeyCommand({ KeyId: key.raw }), { abortSignal }));
    if (out.KeyMetadata?.Arn) return { keyArn: out.KeyMetadata.Arn, via: "kms_key_id" };
  } catch (err) {
    const view = viewAwsError(err);
    const named = view.name === "AccessDeniedException" ? resourceArnIn(view.message) : undefined;
    if (named?.includes(":key/")) return { keyArn: named, via: "DescribeKey denial" };
    errors.push(`DescribeKey: ${view.name}: ${view.message}`);
    cause = view.cause;
  }
  return { error: errors.join("; "), ...(cause ? { cause } : {}) };
}
