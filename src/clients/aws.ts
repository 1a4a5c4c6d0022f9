// The one factory for AWS clients. Deadlines, retries and endpoints live here and nowhere else.
// The SDK's defaults wait forever on a black-holed endpoint (no connection or request timeout), so every
// client gets a connect deadline, a request deadline that throws, few attempts, and an abort signal
// per call; an endpoint found dead once is not waited on again during the run.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";

// The SDK prints a Node-version support warning on stderr at first client construction; our stderr is for
// progress and for our own messages only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export type AwsService = "kms" | "sts" | "iam";

export interface AwsClientOptions {
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Per-call deadline (connect + response). */
  callTimeoutMs: number;
  /** Endpoint override for KMS from the seal's `endpoint` / AWS_KMS_ENDPOINT (e.g. a VPC endpoint). */
  kmsEndpoint?: string;
  env: NodeJS.ProcessEnv;
  /** Endpoints found dead in this run (shared by all checks). */
  deadEndpoints: Set<string>;
  /** The run's abort signal: calls stop when the budget is spent. */
  signal?: AbortSignal;
}

/** Raised instead of calling an endpoint already found unreachable in this run. */
export class EndpointDeadError extends Error {
  constructor(readonly endpoint: string) {
    super(`${endpoint} did not answer earlier in this run; not waiting on it again`);
    this.name = "EndpointDeadError";
  }
}

const ENV_ENDPOINT: Record<AwsService, string> = { kms: "AWS_ENDPOINT_URL_KMS", sts: "AWS_ENDPOINT_URL_STS", iam: "AWS_ENDPOINT_URL_IAM" };

/** The endpoint a client will call, as the SDK resolves it (service env var, then AWS_ENDPOINT_URL, then the public one). */
export function endpointFor(service: AwsService, opts: Pick<AwsClientOptions, "region" | "kmsEndpoint" | "env">): { url: string; custom: boolean } {
  const custom = (service === "kms" ? opts.kmsEndpoint : undefined) ?? opts.env[ENV_ENDPOINT[service]] ?? opts.env.AWS_ENDPOINT_URL;
  if (custom) return { url: custom, custom: true };
  if (service === "iam") return { url: "https://iam.amazonaws.com", custom: false };
  return { url: `https://${service}.${opts.region}.amazonaws.com`, custom: false };
}

async function requestHandler(callTimeoutMs: number) {
  const { NodeHttpHandler } = await import("@smithy/node-http-handler");
  return new NodeHttpHandler({
    connectionTimeout: Math.min(3_000, callTimeoutMs),
    requestTimeout: callTimeoutMs,
    throwOnRequestTimeout: true,
  });
}

function clientConfig(service: AwsService, opts: AwsClientOptions, handler: unknown) {
  const endpoint = endpointFor(service, opts);
  return {
    region: opts.region,
    credentials: opts.credentials,
    endpoint: endpoint.custom ? endpoint.url : undefined,
    requestHandler: handler as never,
    // One retry for throttling and 5xx; a dead endpoint is not retried (see callAws).
    maxAttempts: 2,
  };
}

export async function createKmsClient(opts: AwsClientOptions) {
  const { KMSClient } = await import("@aws-sdk/client-kms");
  return new KMSClient(clientConfig("kms", opts, await requestHandler(opts.callTimeoutMs)));
}

export async function createStsClient(opts: AwsClientOptions) {
  const { STSClient } = await import("@aws-sdk/client-sts");
  return new STSClient(clientConfig("sts", opts, await requestHandler(opts.callTimeoutMs)));
}

export async function createIamClient(opts: AwsClientOptions) {
  const { IAMClient } = await import("@aws-sdk/client-iam");
  // IAM is a global service signed for us-east-1 in the aws partition.
  return new IAMClient(clientConfig("iam", { ...opts, region: "us-east-1" }, await requestHandler(opts.callTimeoutMs)));
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "TimeoutError", "RequestTimeout"]);

/** True for failures of the wire itself (nothing answered), as opposed to an answer that was an error. */
export function isNetworkError(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (!e) return false;
  if (e.$metadata?.httpStatusCode) return false;
  if (e.name === "EndpointDeadError" || e.name === "AbortError" || e.name === "TimeoutError") return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.name && NETWORK_CODES.has(e.name)) return true;
  return e.cause ? isNetworkError(e.cause) : false;
}

/**
 * Sends one request with the call deadline and the run's budget; marks the endpoint dead on a network
 * failure so that later calls to it fail at once with EndpointDeadError.
 */
export async function callAws<T>(service: AwsService, opts: AwsClientOptions, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const endpoint = endpointFor(service, opts).url;
  if (opts.deadEndpoints.has(endpoint)) throw new EndpointDeadError(endpoint);
  // The whole call, retries included, fits in one call deadline: a retry is only worth what time is left.
  const deadline = AbortSignal.timeout(opts.callTimeoutMs + 250);
  const abortSignal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  try {
    return await send(abortSignal);
  } catch (err) {
    if (isNetworkError(err)) opts.deadEndpoints.add(endpoint);
    throw err;
  }
}
