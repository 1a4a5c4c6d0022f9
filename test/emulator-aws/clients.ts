// Official SDK clients pointed at a running emulator, exactly as the env it publishes would point them.
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { AwsEmulator } from "../emulator/aws/server.js";

export const ACCOUNT = "111122223333";
export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/vault-unseal`;
export const VAULT_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/vault-unseal/vault-0`;

export function envCredentials(emu: AwsEmulator): AwsCredentialIdentity {
  return {
    accessKeyId: emu.env["AWS_ACCESS_KEY_ID"]!,
    secretAccessKey: emu.env["AWS_SECRET_ACCESS_KEY"]!,
    sessionToken: emu.env["AWS_SESSION_TOKEN"],
  };
}

interface ClientOptions {
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
  region?: string;
  /** requestTimeout only warns unless throwOnRequestTimeout is set (node_modules/@smithy/node-http-handler, setRequestTimeout). */
  requestHandler?: { connectionTimeout?: number; requestTimeout?: number; throwOnRequestTimeout?: boolean; socketTimeout?: number };
}

/** Short deadlines and no retries by default: a test asserts the first answer. */
function common(emu: AwsEmulator, options: ClientOptions) {
  return {
    region: options.region ?? emu.env["AWS_REGION"],
    credentials: options.credentials ?? envCredentials(emu),
    maxAttempts: options.maxAttempts ?? 1,
    requestHandler: options.requestHandler ?? { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
  };
}

export const kmsClient = (emu: AwsEmulator, options: ClientOptions = {}) =>
  new KMSClient({ ...common(emu, options), endpoint: emu.env["AWS_ENDPOINT_URL_KMS"] });

export const stsClient = (emu: AwsEmulator, options: ClientOptions = {}) =>
  new STSClient({ ...common(emu, options), endpoint: emu.env["AWS_ENDPOINT_URL_STS"] });

export const iamClient = (emu: AwsEmulator, options: ClientOptions = {}) =>
  new IAMClient({ ...common(emu, options), endpoint: emu.env["AWS_ENDPOINT_URL_IAM"] });

/** The rejection of a call, for asserting its name and message. */
export async function failureOf(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

/** Sets process.env for credential providers that only read the environment; returns the restore function. */
export function applyEnv(env: Record<string, string | undefined>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
