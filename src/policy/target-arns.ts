// The two ARNs the lint needs, checked before anything is evaluated: policies name roles and keys by ARN, never
// by session, alias or key id.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
// https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html ("you must use its key ARN")
import { parseArn } from "../iam/arn.js";

/** undefined when fine, else the problem in one line. */
export function roleArnProblem(value: string): string | undefined {
  const arn = parseArn(value);
  if (arn?.service === "sts" && arn.resource.startsWith("assumed-role/")) {
    const roleName = arn.resource.split("/")[1] ?? "ROLE";
    return `${value} is an assumed-role session; pass the role ARN, e.g. arn:${arn.partition}:iam::${arn.account}:role/${roleName} (add the role's path if it has one: aws iam get-role --role-name ${roleName} --query Role.Arn)`;
  }
  if (!arn || arn.service !== "iam" || !/^\d{12}$/.test(arn.account) || !arn.resource.startsWith("role/") || arn.resource.length <= "role/".length) {
    return `${JSON.stringify(value)} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`;
  }
  return undefined;
}

export function keyArnProblem(value: string): string | undefined {
  const arn = parseArn(value);
  const lookup = `aws kms describe-key --key-id ${value.includes(":") ? value : `<key id or alias>`} --query KeyMetadata.Arn`;
  if (arn?.service === "kms" && arn.resource.startsWith("alias/")) return `${value} is an alias ARN; policies are evaluated against the key ARN: ${lookup}`;
  if (!arn || arn.service !== "kms" || !/^\d{12}$/.test(arn.account) || arn.region === "" || !arn.resource.startsWith("key/") || arn.resource.length <= "key/".length) {
    return `${JSON.stringify(value)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); find it with: aws kms describe-key --key-id <key id or alias> --query KeyMetadata.Arn`;
  }
  return undefined;
}
