// kms_key_id may be a key id, a key ARN, an alias name or an alias ARN (Vault passes it to DescribeKey and
// Encrypt as is). An ARN carries its own region and account, which must match where the client calls.
import { parseArn } from "../iam/arn.js";

export type KeyIdForm = "key-id" | "key-arn" | "alias-name" | "alias-arn" | "multi-region-key-id" | "unknown";

export interface KeyIdentifier {
  raw: string;
  form: KeyIdForm;
  region?: string;
  account?: string;
  partition?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MRK = /^mrk-[0-9a-f]{32}$/i;

export function parseKeyId(raw: string): KeyIdentifier {
  const v = raw.trim();
  const arn = parseArn(v);
  if (arn && arn.service === "kms") {
    const form: KeyIdForm = arn.resource.startsWith("alias/") ? "alias-arn" : arn.resource.startsWith("key/") ? "key-arn" : "unknown";
    return { raw: v, form, region: arn.region, account: arn.account, partition: arn.partition };
  }
  if (v.startsWith("alias/")) return { raw: v, form: "alias-name" };
  if (UUID.test(v)) return { raw: v, form: "key-id" };
  if (MRK.test(v)) return { raw: v, form: "multi-region-key-id" };
  return { raw: v, form: "unknown" };
}

