// Which credential source Vault's awskms seal will use, composed source by source so that the winner is
// known for certain (the SDK's own chain does not say which provider answered).
// Order (docs/vault-seal-facts.md#awskms-credentials: go-secure-stdlib awsutil generate_credentials.go, aws-sdk-go-v2
// config/resolve_credentials.go): static keys (stanza, or AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY which Vault copies into the stanza) -> explicit profile (AWS_PROFILE) -> web identity
// (role_arn + web_identity_token_file, or AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) -> shared profile ->
// container credentials (ECS, EKS Pod Identity) -> EC2 instance metadata.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { SealConfig } from "../config/seal-config.js";
import { sealValue, formatProvenance } from "../config/seal-config.js";
import { imdsEndpoint } from "./imds.js";

export type AwsCredentialSource = "static" | "explicit-profile" | "web-identity" | "shared-profile" | "container" | "imds";

export interface SourceCandidate {
  source: AwsCredentialSource;
  /** Plain words for the report, e.g. "static keys from env AWS_ACCESS_KEY_ID". */
  label: string;
  configured: boolean;
  /** Why it is or is not configured. */
  detail: string;
  settings: Record<string, string>;
}

/** Vault's awsutil ErrBadStaticCreds: one of the two static keys without the other. */
export const BAD_STATIC_CREDS = "static AWS client credentials haven't been properly configured (the access key or secret key were provided but not both)";

export function sharedCredentialsFile(seal: SealConfig, env: NodeJS.ProcessEnv): string {
  return sealValue(seal, "shared_creds_filename") ?? env.AWS_SHARED_CREDENTIALS_FILE ?? join(env.HOME ?? homedir(), ".aws", "credentials");
}

export function sharedConfigFile(env: NodeJS.ProcessEnv): string {
  return env.AWS_CONFIG_FILE ?? join(env.HOME ?? homedir(), ".aws", "config");
}

export function candidateSources(seal: SealConfig, env: NodeJS.ProcessEnv): { candidates: SourceCandidate[]; badStatic?: string } {
  const candidates: SourceCandidate[] = [];
  const ak = seal.values.access_key;
  const sk = seal.values.secret_key;
  const where = (v: typeof ak) => (v ? formatProvenance(v.from) : "");
  let badStatic: string | undefined;
  const disallowEnv = sealValue(seal, "disallow_env_vars") === "true";
  if (Boolean(ak?.value) !== Boolean(sk?.value)) {
    badStatic = ak?.value ? `access_key is set (${where(ak)}) but secret_key is not` : `secret_key is set (${where(sk)}) but access_key is not`;
  }
  candidates.push({
    source: "static",
    label: ak?.value ? `static keys from ${where(ak)}` : "static keys",
    configured: Boolean(ak?.value && sk?.value),
    detail: ak?.value && sk?.value ? `access_key from ${where(ak)}, secret_key from ${where(sk)}` : "no access_key/secret_key in the stanza or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
    settings: {},
  });
  const profile = disallowEnv ? undefined : env.AWS_PROFILE;
  const credsFile = sharedCredentialsFile(seal, env);
  const configFile = sharedConfigFile(env);
  candidates.push({
    source: "explicit-profile",
    label: `profile ${profile ?? ""} (AWS_PROFILE)`.replace("  ", " "),
    configured: Boolean(profile),
    detail: profile ? `AWS_PROFILE=${profile}` : "AWS_PROFILE is not set",
    settings: { profile: profile ?? "", credentialsFile: credsFile, configFile },
  });
  const roleArn = sealValue(seal, "role_arn") ?? (disallowEnv ? undefined : env.AWS_ROLE_ARN);
  const tokenFile = sealValue(seal, "web_identity_token_file") ?? (disallowEnv ? undefined : env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const sessionName = sealValue(seal, "role_session_name") ?? env.AWS_ROLE_SESSION_NAME;
  candidates.push({
    source: "web-identity",
    label: "web identity (IRSA)",
    configured: Boolean(roleArn && tokenFile),
    detail: roleArn && tokenFile ? `role ${roleArn}, token file ${tokenFile}` : roleArn || tokenFile ? `only one of role_arn/AWS_ROLE_ARN and web_identity_token_file/AWS_WEB_IDENTITY_TOKEN_FILE is set` : "AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE are not set",
    settings: { roleArn: roleArn ?? "", tokenFile: tokenFile ?? "", sessionName: sessionName ?? "" },
  });
  const sharedProfile = sealValue(seal, "shared_creds_profile") ?? "default";
  const haveFile = existsSync(credsFile) || existsSync(configFile);
  candidates.push({
    source: "shared-profile",
    label: `shared profile ${sharedProfile}`,
    configured: haveFile,
    detail: haveFile ? `profile ${sharedProfile} in ${credsFile} / ${configFile}` : `no ${credsFile} or ${configFile}`,
    settings: { profile: sharedProfile, credentialsFile: credsFile, configFile },
  });
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  candidates.push({
    source: "container",
    label: full ? "container credentials (EKS Pod Identity / full URI)" : "container credentials (ECS task role)",
    configured: Boolean(full || relative),
    detail: full ? `AWS_CONTAINER_CREDENTIALS_FULL_URI=${full}` : relative ? `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=${relative}` : "no AWS_CONTAINER_CREDENTIALS_* variable",
    settings: {},
  });
  const imds = imdsEndpoint(env);
  candidates.push({
    source: "imds",
    label: "EC2 instance metadata (instance profile)",
    configured: Boolean(imds),
    detail: imds ? `IMDS at ${imds}` : "AWS_EC2_METADATA_DISABLED=true",
    settings: { endpoint: imds ?? "" },
  });
  return { candidates, badStatic };
}
