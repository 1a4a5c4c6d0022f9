// Turns the chosen source into credentials with the SDK's own provider for that source, bounded in time.
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import type { SealConfig } from "../config/seal-config.js";
import type { SourceCandidate } from "./credential-sources.js";

export interface ResolveOptions {
  region: string;
  callTimeoutMs: number;
  env: NodeJS.ProcessEnv;
}

async function stsClientConfig(opts: ResolveOptions) {
  const { NodeHttpHandler } = await import("@smithy/node-http-handler");
  return {
    region: opts.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: Math.min(3_000, opts.callTimeoutMs), requestTimeout: opts.callTimeoutMs, throwOnRequestTimeout: true }),
  };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${ms} ms`), { name: "TimeoutError" })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function resolveCandidate(c: SourceCandidate, seal: SealConfig, opts: ResolveOptions): Promise<AwsCredentialIdentity> {
  const providers = await import("@aws-sdk/credential-providers");
  const deadline = opts.callTimeoutMs * 2 + 500;
  switch (c.source) {
    case "static":
      return {
        accessKeyId: seal.values.access_key!.value,
        secretAccessKey: seal.values.secret_key!.value,
        sessionToken: seal.values.session_token?.value || undefined,
      };
    case "web-identity":
      return withDeadline(providers.fromTokenFile({
        roleArn: c.settings.roleArn!,
        webIdentityTokenFile: c.settings.tokenFile!,
        roleSessionName: c.settings.sessionName || undefined,
        clientConfig: await stsClientConfig(opts),
      })(), deadline, "AssumeRoleWithWebIdentity");
    case "explicit-profile":
    case "shared-profile":
      return withDeadline(providers.fromIni({
        profile: c.settings.profile,
        filepath: c.settings.credentialsFile,
        configFilepath: c.settings.configFile,
        clientConfig: await stsClientConfig(opts),
      })(), deadline, `profile ${c.settings.profile}`);
    case "container":
      return withDeadline(
        opts.env.AWS_CONTAINER_CREDENTIALS_FULL_URI
          ? providers.fromHttp({ timeout: opts.callTimeoutMs, maxRetries: 0 })()
          : providers.fromContainerMetadata({ timeout: opts.callTimeoutMs, maxRetries: 0 })(),
        deadline, "container credentials endpoint");
    case "imds":
      return withDeadline(providers.fromInstanceMetadata({ timeout: opts.callTimeoutMs, maxRetries: 0 })(), deadline, "instance metadata");
  }
}
