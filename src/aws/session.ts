// What the awskms checks share: client options built from the facts of earlier checks, the least-privilege
// policy Vault needs, and the mapping of SDK errors to a cause and a fix (through the troubleshooting table).
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import type { CheckContext } from "../check.js";
import type { AwsClientOptions } from "../clients/aws.js";
import { isNetworkError } from "../clients/aws.js";
import { classifyError } from "../troubleshoot/index.js";
import type { Fix } from "../model.js";
import { sh, shq } from "../shell.js";
import type { KeyIdentifier } from "./key-id.js";
import type { AwsCredentialSource } from "./credential-sources.js";
import type { JwtClaims } from "./jwt.js";
import { leastPrivilegeIdentityPolicy } from "../policy/policy-documents.js";

/** Facts of awskms.region-key */
export interface RegionKeyFacts {
  region: string;
  regionFrom: string;
  key: KeyIdentifier;
  kmsEndpoint?: string;
  keyNotRequired: boolean;
}

/** Facts of awskms.credentials */
export interface CredentialFacts {
  credentials: AwsCredentialIdentity;
  source: AwsCredentialSource;
  label: string;
  irsa?: { roleArn: string; tokenFile: string; claims?: JwtClaims };
  irsaConfigured: boolean;
}

/** Facts of awskms.identity */
export interface IdentityFacts {
  arn: string;
  account: string;
  /** The role behind an assumed-role session (path unknown: an assumed-role ARN drops it). */
  roleArn?: string;
  roleName?: string;
  userName?: string;
}

/** Facts of awskms.key-state */
export interface KeyFacts {
  keyArn: string;
  keyId: string;
  keyState: string;
  keyUsage?: string;
  keySpec?: string;
  keyManager?: string;
}

/** Facts of awskms.round-trip */
export interface RoundTripFacts {
  ok: boolean;
  /** The key ARN KMS named (Encrypt's KeyId, or the resource of an AccessDenied message). */
  keyArn?: string;
  failedStep?: "Encrypt" | "Decrypt" | "Compare";
  errorName?: string;
  cause?: string;
}

/** Vault's awskms seal calls exactly these (go-kms-wrapping wrappers/awskms/awskms.go, docs/vault-seal-facts.md#awskms-requests):
 * DescribeKey at startup, Encrypt and Decrypt with no context. */
export { VAULT_KMS_ACTIONS } from "../policy/vault-requests.js";

export function clientOptions(ctx: CheckContext, region: RegionKeyFacts, creds: CredentialFacts): AwsClientOptions {
  return {
    region: region.region,
    credentials: creds.credentials,
    callTimeoutMs: ctx.options.callTimeoutMs,
    kmsEndpoint: region.kmsEndpoint,
    env: ctx.env,
    deadEndpoints: ctx.deadEndpoints,
    signal: ctx.signal,
  };
}

/** The least-privilege identity policy (src/policy/policy-documents.ts) as one line of JSON for a command. */
export function leastPrivilegePolicy(keyArn: string): string {
  return JSON.stringify(leastPrivilegeIdentityPolicy(keyArn));
}

/** The role's name, or a shell variable set by the command that finds it (the role of the identity Vault uses). */
export function roleNameOrFinder(roleName: string | undefined): { value: string; find: string[] } {
  if (roleName) return { value: shq(roleName), find: [] };
  return { value: "\"$ROLE_NAME\"", find: ["ROLE_NAME=$(aws sts get-caller-identity --query Arn --output text | cut -d/ -f2)   # Vault's role: run where Vault runs, with its credentials"] };
}

export function putRolePolicyFix(roleName: string | undefined, keyArn: string, summary: string): Fix {
  const role = roleNameOrFinder(roleName);
  return {
    summary,
    commands: [
      ...role.find,
      `aws iam put-role-policy --role-name ${role.value} --policy-name vault-kms-unseal --policy-document ${shq(leastPrivilegePolicy(keyArn))}`,
    ],
    docs: "https://developer.hashicorp.com/vault/docs/configuration/seal/awskms#authentication",
  };
}

/**
 * The fix for an AccessDeniedException, chosen by AWS's own reason: an identity policy is missing, or the key
 * policy neither names the role nor lets IAM policies grant access, or an explicit deny.
 */
/** The key ARN an AccessDeniedException names ("... on resource: arn:aws:kms:..."). */
export function resourceArnIn(message: string): string | undefined {
  return /on resource: (arn:\S+?)(?:\s|$)/.exec(message)?.[1];
}

export function accessDeniedFix(message: string, keyArn: string, roleName: string | undefined): Fix {
  const arn = resourceArnIn(message) ?? keyArn;
  const role = roleName ?? /assumed-role\/([^/]+)\//.exec(message)?.[1];
  if (/explicit deny/.test(message)) {
    const where = /resource-based/.test(message) ? "key policy" : "IAM policies attached to the role";
    return {
      summary: `An explicit Deny in the ${where} blocks Vault; an Allow cannot override it. Remove or narrow that statement (check its Condition and NotPrincipal).`,
      commands: /resource-based/.test(message)
        ? [sh`aws kms get-key-policy --key-id ${arn} --policy-name default --query Policy --output text > key-policy.json` + "   # edit out the Deny, then:", sh`aws kms put-key-policy --key-id ${arn} --policy-name default --policy file://key-policy.json`]
        : [...roleNameOrFinder(role).find, `aws iam list-role-policies --role-name ${roleNameOrFinder(role).value}`, `aws iam list-attached-role-policies --role-name ${roleNameOrFinder(role).value}`],
    };
  }
  if (/no resource-based policy allows/.test(message)) {
    const account = arn.split(":")[4] || "$(aws sts get-caller-identity --query Account --output text)";
    const statement = { Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" };
    return {
      summary: "The key policy neither names Vault's role nor lets IAM policies grant access (no account-root statement). Add the root statement (or one naming the role) to the key policy.",
      commands: [
        // --query Policy: without it the file holds the whole answer ({"Policy": "...", "PolicyName": ...}), not a policy.
        sh`aws kms get-key-policy --key-id ${arn} --policy-name default --query Policy --output text > key-policy.json`,
        `# add this statement to key-policy.json's Statement list:
${JSON.stringify(statement)}`,
        sh`aws kms put-key-policy --key-id ${arn} --policy-name default --policy file://key-policy.json`,
      ],
      docs: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    };
  }
  return putRolePolicyFix(role, arn, "Allow Vault's three KMS actions (DescribeKey, Encrypt, Decrypt) on the key, with no encryption-context condition.");
}

export interface AwsErrorView {
  name: string;
  message: string;
  network: boolean;
  cause: string;
  fix?: Fix;
  httpStatus?: number;
}

/** One view of an SDK error: its name and first line, whether the wire failed, and the table's cause and fix. */
export function viewAwsError(err: unknown): AwsErrorView {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  // A 2xx answer that does not parse (a proxy's page, a body cut short) tells nothing about KMS: could not check.
  const unreadable = (e?.$metadata?.httpStatusCode ?? 0) < 300 && (e?.name === "SyntaxError" || /Deserialization error|Unexpected end of JSON|is not valid JSON|socket hang up|aborted/i.test(String(e?.message)));
  const network = isNetworkError(err) || unreadable;
  const diagnosis = classifyError(err, "awskms");
  return {
    name: e?.name ?? "Error",
    message: String(e?.message ?? err).split("\n")[0]!.replace(/\.+$/, ""),
    network,
    cause: network ? "network_unreachable" : diagnosis.cause,
    fix: diagnosis.fix,
    httpStatus: e?.$metadata?.httpStatusCode,
  };
}

/** `arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0abc` -> role ARN and name (path dropped, as STS does). */
export function roleBehindSession(arn: string): { roleArn: string; roleName: string; sessionName: string } | undefined {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  return m ? { roleArn: `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`, roleName: m[3]!, sessionName: m[4]! } : undefined;
}

declare module "../facts.js" {
  interface FactMap {
    "awskms.region-key": RegionKeyFacts;
    "awskms.credentials": CredentialFacts;
    "awskms.identity": IdentityFacts;
    "awskms.key-state": KeyFacts;
    "awskms.round-trip": RoundTripFacts;
  }
}
