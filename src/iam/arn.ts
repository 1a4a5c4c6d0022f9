// ARN anatomy: arn:partition:service:region:account-id:resource (the resource part may itself contain colons).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): ArnParts | undefined {
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return { partition: parts[1]!, service: parts[2]!, region: parts[3]!, account: parts[4]!, resource: parts.slice(5).join(":") };
}

/** The six colon-separated components, the last one holding the rest; undefined when not an ARN. */
export function arnSegments(value: string): string[] | undefined {
  const parts = value.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

export function accountOfArn(value: string): string | undefined {
  const account = parseArn(value)?.account;
  return account ? account : undefined;
}
