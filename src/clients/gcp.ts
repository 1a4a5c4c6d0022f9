// The one place Google Cloud clients are built. Every gcpckms check gets its Cloud KMS client here,
// so credentials, scopes, deadlines, retries and endpoints are decided once.
//
// - Credentials: the given file (Vault's `credentials`), else Application Default Credentials
//   (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, then the GCE/GKE metadata server) - the
//   same order Vault's Go client uses.
// - Scope: cloud-platform, as Vault requests (go-kms-wrapping wrappers/gcpckms uses
//   cloudkms.NewKeyManagementClient with the default cloud-platform scope).
// - Deadlines: every call ends within `timeoutMs`; UNAVAILABLE is retried inside that budget only.
// - @google-cloud/kms (and gRPC) are imported lazily: an awskms-only run never loads them.
import { readBounded, readBoundedText } from "../fs/read-bounded.js";
import { createRequire } from "node:module";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import type { GoogleAuth } from "google-auth-library";

export interface GcpClientOptions {
  credentialsFile?: string;
  /**
   * The seal's project. Given to google-auth-library so it never looks for one: without it, every new GoogleAuth
   * runs findAndCacheProjectId on first use (node_modules/google-auth-library/build/src/auth/googleauth.js), which
   * spawns `gcloud config config-helper --format json` (seconds where the Cloud SDK is installed) and then asks the
   * metadata server for project/project-id. The Cloud KMS calls name the project in the resource name; Vault's Go
   * client does no such lookup either.
   */
  projectId?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export interface GcpKmsClient {
  client: KeyManagementServiceClient;
  auth: GoogleAuth;
  close(): Promise<void>;
}

// Testing hooks of the doctor - Vault itself has no such settings. They point the client at the
// local emulator (test/emulator/gcp): a "host:port" gRPC endpoint and the PEM CA its TLS
// certificate chains to.
export const GCP_KMS_ENDPOINT_ENV = "VAULT_KMS_DOCTOR_GCP_KMS_ENDPOINT";
export const GCP_CA_FILE_ENV = "VAULT_KMS_DOCTOR_GCP_CA_FILE";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

const KMS_SERVICE = "google.cloud.kms.v1.KeyManagementService";
const IAM_SERVICE = "google.iam.v1.IAMPolicy";
/** Methods a check may call; each gets the bounded deadline (others keep the library's 60 s). */
const KMS_METHODS = [
  "GetKeyRing",
  "GetCryptoKey",
  "GetCryptoKeyVersion",
  "GetPublicKey",
  "ListKeyRings",
  "ListCryptoKeys",
  "ListCryptoKeyVersions",
  "Encrypt",
  "Decrypt",
];
const IAM_METHODS = ["GetIamPolicy", "TestIamPermissions"];

/**
 * google-gax client-config overrides (format: node_modules/google-gax/build/src/gax.js
 * constructSettings): per-attempt and total timeout = timeoutMs, retry only UNAVAILABLE.
 * DEADLINE_EXCEEDED is not retried: the budget is already spent.
 */
export function boundedClientConfig(timeoutMs: number): object {
  const service = (methods: string[]) => ({
    retry_codes: { doctor_bounded: ["UNAVAILABLE"] },
    retry_params: {
      doctor_bounded: {
        initial_retry_delay_millis: Math.min(100, timeoutMs / 10),
        retry_delay_multiplier: 2,
        max_retry_delay_millis: Math.max(100, timeoutMs / 4),
        initial_rpc_timeout_millis: timeoutMs,
        rpc_timeout_multiplier: 1,
        max_rpc_timeout_millis: timeoutMs,
        total_timeout_millis: timeoutMs,
      },
    },
    methods: Object.fromEntries(
      methods.map((m) => [m, { timeout_millis: timeoutMs, retry_codes_name: "doctor_bounded", retry_params_name: "doctor_bounded" }]),
    ),
  });
  return { interfaces: { [KMS_SERVICE]: service(KMS_METHODS), [IAM_SERVICE]: service(IAM_METHODS) } };
}

/** The token endpoint a service-account key file names, when it is not Google's default. */
function customTokenUri(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    const json = JSON.parse(readBoundedText(file, "credentials")) as { type?: unknown; token_uri?: unknown };
    if (json.type === "service_account" && typeof json.token_uri === "string" && json.token_uri !== GOOGLE_TOKEN_URL) return json.token_uri;
  } catch {
    // Unreadable or invalid: google-auth-library reports it with its own error on first use.
  }
  return undefined;
}

/** Whether a request to `url` goes direct under HTTPS_PROXY: loopback hosts, and hosts NO_PROXY / no_proxy lists (exact or ".suffix"). */
function bypassesProxy(url: URL, env: NodeJS.ProcessEnv): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  const rules = (env.NO_PROXY ?? env.no_proxy ?? "").split(",").map((r) => r.trim()).filter(Boolean);
  return rules.some((r) => r === "*" || r === host || r === url.host || ((r.startsWith(".") || r.startsWith("*.")) && host.endsWith(r.replace(/^\*/, ""))));
}

function parseEndpoint(value: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value.trim());
  if (!m?.[1] || !m[2]) throw new Error(`${GCP_KMS_ENDPOINT_ENV} must be host:port, got "${value}"`);
  return { host: m[1], port: Number(m[2]) };
}

export async function createGcpKmsClient(opts: GcpClientOptions): Promise<GcpKmsClient> {
  const env = opts.env ?? process.env;
  const [{ KeyManagementServiceClient }, { GoogleAuth, gaxios }] = await Promise.all([import("@google-cloud/kms"), import("google-auth-library")]);
  const keyFilename = opts.credentialsFile ?? env.GOOGLE_APPLICATION_CREDENTIALS ?? undefined;

  // Vault's Go client posts the JWT assertion to the key file's `token_uri`; google-auth-library
  // always posts to oauth2.googleapis.com (node_modules/google-auth-library/build/src/gtoken/getToken.js).
  // Honour token_uri like Vault does, and bound token requests by the same timeout.
  const transporter = new gaxios.Gaxios({ timeout: opts.timeoutMs });
  const tokenUri = customTokenUri(keyFilename);
  if (tokenUri) {
    transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === GOOGLE_TOKEN_URL) {
          config.url = new URL(tokenUri);
          // gaxios chose its agent for oauth2.googleapis.com before interceptors run (gaxios build/cjs/src/gaxios.js
          // request: #prepareRequest picks an HttpsProxyAgent under HTTPS_PROXY, then #applyRequestInterceptors), so
          // a loopback or NO_PROXY-listed token_uri would still be tunnelled through the proxy: decide again for it.
          if (bypassesProxy(config.url, env)) config.agent = undefined;
        }
        return config;
      },
    });
  }
  const auth = new GoogleAuth({
    ...(keyFilename ? { keyFilename } : {}),
    ...(opts.projectId ? { projectId: opts.projectId } : {}),
    scopes: [CLOUD_PLATFORM_SCOPE],
    clientOptions: { transporter },
  });

  const endpointOverride = env[GCP_KMS_ENDPOINT_ENV];
  let endpointOptions: Record<string, unknown> = {};
  if (endpointOverride) {
    const { host, port } = parseEndpoint(endpointOverride);
    const caFile = env[GCP_CA_FILE_ENV];
    const grpc = grpcUsedByKms();
    // What google-gax builds for cloudkms.googleapis.com (GrpcClient._getCredentials in
    // node_modules/google-gax/build/src/grpc.js): TLS channel + OAuth call credentials from
    // google-auth-library - only the trusted CA differs. gax uses `sslCreds` as given, so the
    // bearer token must be composed in here.
    const callCredentials = grpc.credentials.createFromGoogleCredential({
      getRequestHeaders: async (url?: string) => {
        const client = await auth.getClient();
        const headers = await client.getRequestHeaders(url);
        const plain: Record<string, string> = {};
        headers.forEach((value, key) => (plain[key] = value));
        return plain;
      },
    });
    const channel = grpc.credentials.createSsl(caFile ? readBounded(caFile, "ca-cert") : null);
    endpointOptions = {
      apiEndpoint: host,
      port,
      sslCreds: grpc.credentials.combineChannelCredentials(channel, callCredentials),
      // TLS SNI may not carry an IP (RFC 6066; Node warns DEP0123). The emulator's certificate
      // names "localhost", so a loopback IP endpoint verifies against that name instead.
      ...(/^(127\.\d+\.\d+\.\d+|::1)$/.test(host) ? { "grpc.ssl_target_name_override": "localhost" } : {}),
    };
  }

  const client = new KeyManagementServiceClient({
    // google-gax declares the type from its own google-auth-library copy; same class at runtime.
    auth: auth as never,
    clientConfig: boundedClientConfig(opts.timeoutMs),
    ...endpointOptions,
  });
  return { client, auth, close: () => client.close() };
}

/** The @grpc/grpc-js instance google-gax loads, so channel credentials pass its instanceof checks. */
function grpcUsedByKms(): typeof import("@grpc/grpc-js") {
  const fromHere = createRequire(import.meta.url);
  const fromKms = createRequire(fromHere.resolve("@google-cloud/kms"));
  const fromGax = createRequire(fromKms.resolve("google-gax"));
  return fromGax("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
}
