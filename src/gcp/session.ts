// What the gcpckms checks share: the facts they pass each other, a bounded call through the one client
// factory (src/clients/gcp.ts), the view of a google-gax error through the troubleshooting table, and the
// gcloud fixes filled with the seal's real project, location, key ring, key and member.
import type { CheckContext } from "../check.js";
import { createGcpKmsClient, GCP_KMS_ENDPOINT_ENV, type GcpKmsClient } from "../clients/gcp.js";
import { sealValue } from "../config/seal-config.js";
import type { Fix } from "../model.js";
import { classifyError } from "../troubleshoot/index.js";

/** Facts of gcpckms.config: the resource names Vault builds (go-kms-wrapping wrappers/gcpckms SetConfig). */
export interface GcpConfigFacts {
  project: string;
  location: string;
  keyRing: string;
  cryptoKey: string;
  /** projects/P/locations/L/keyRings/R/cryptoKeys/K, Vault's `parentName`. */
  keyName: string;
  keyRingName: string;
  keyNotRequired: boolean;
  /** Where each value came from, for fixes ("fixtures/vault.hcl:7", "env GOOGLE_REGION"). */
  from: Record<"project" | "region" | "key_ring" | "crypto_key", string>;
}

export type GcpCredentialSource = "credentials-file" | "gcloud-adc" | "metadata";

/** Facts of gcpckms.credentials */
export interface GcpCredentialFacts {
  source: GcpCredentialSource;
  label: string;
  /** The file Vault hands to option.WithCredentialsFile (GOOGLE_CREDENTIALS / credentials), if any. */
  credentialsFile?: string;
  /** The identity's email, when it is known (service account key, metadata server). */
  email?: string;
  /** IAM member for bindings: serviceAccount:<email> or user:<email>. */
  member?: string;
  accountType?: string;
}

/** Facts of gcpckms.api-enabled */
export interface GcpApiFacts {
  enabled: true;
}

/** Facts of gcpckms.key: published when GetCryptoKey answered, or when the key is known not to exist. */
export interface GcpKeyFacts {
  name: string;
  found: boolean;
  purpose?: string;
  protectionLevel?: string;
  algorithm?: string;
  primary?: { name: string; id: string; state: string };
  rotationPeriodSeconds?: number;
  nextRotationTime?: string;
}

/** Facts of gcpckms.permissions */
export interface GcpPermissionFacts {
  granted: string[];
}

export const ENCRYPTER_DECRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
export const VIEWER_ROLE = "roles/cloudkms.viewer";
export const GCPCKMS_DOCS = "https://developer.hashicorp.com/vault/docs/configuration/seal/gcpckms";

/** The client for one check, built by the factory with the per-call deadline. Close it in `finally`. */
export function openKms(ctx: CheckContext, creds: GcpCredentialFacts): Promise<GcpKmsClient> {
  const projectId = ctx.seal ? sealValue(ctx.seal, "project") : undefined;
  return createGcpKmsClient({ credentialsFile: creds.credentialsFile, projectId, timeoutMs: ctx.options.callTimeoutMs, env: ctx.env });
}

/** Raised instead of calling Cloud KMS again once it did not answer in this run. */
export class GcpEndpointDeadError extends Error {
  readonly code = 14;
  constructor(readonly endpoint: string) {
    super(`${endpoint} did not answer earlier in this run; not waiting on it again`);
    this.name = "EndpointDeadError";
  }
}

export function kmsEndpoint(env: NodeJS.ProcessEnv): string {
  return env[GCP_KMS_ENDPOINT_ENV] || "cloudkms.googleapis.com:443";
}

// gRPC codes that mean nothing useful answered: 4 DEADLINE_EXCEEDED (gax also ends a retried UNAVAILABLE
// with it, "Total timeout of API ... exceeded"), 14 UNAVAILABLE, 1 CANCELLED (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
const NETWORK_GRPC_CODES = new Set([1, 4, 14]);
const NETWORK_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function isGcpNetworkError(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === "EndpointDeadError" || e.name === "AbortError" || e.name === "TimeoutError") return true;
  if (typeof e.code === "number") return NETWORK_GRPC_CODES.has(e.code);
  if (typeof e.code === "string" && NETWORK_ERRNO.has(e.code)) return true;
  return e.cause ? isGcpNetworkError(e.cause) : false;
}

/**
 * One Cloud KMS call: refused at once when the endpoint already died in this run, raced against a hard
 * deadline (the factory's gRPC deadline should end it first), and marks the endpoint dead when nothing
 * answered.
 */
export async function callGcp<T>(ctx: Pick<CheckContext, "env" | "options" | "signal" | "deadEndpoints">, send: () => Promise<T>): Promise<T> {
  const endpoint = kmsEndpoint(ctx.env);
  if (ctx.deadEndpoints.has(endpoint)) throw new GcpEndpointDeadError(endpoint);
  // The runner ends the whole check when the run's budget is spent; a call never starts after that.
  if (ctx.signal.aborted) throw Object.assign(new Error("the run's time budget was spent"), { name: "AbortError" });
  let timer: NodeJS.Timeout | undefined;
  const limit = ctx.options.callTimeoutMs * 2 + 500;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`4 DEADLINE_EXCEEDED: no answer from ${endpoint} within ${limit} ms`), { code: 4 })), limit);
  });
  try {
    return await Promise.race([send(), deadline]);
  } catch (err) {
    if (isGcpNetworkError(err)) ctx.deadEndpoints.add(endpoint);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

const GRPC_NAMES: Record<number, string> = {
  1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND", 7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE", 16: "UNAUTHENTICATED",
};

export interface GcpErrorView {
  /** gRPC status name, e.g. PERMISSION_DENIED, or the error's name when it is not a gRPC status. */
  status: string;
  /** First line, without google-gax's "7 PERMISSION_DENIED: " prefix and without gax's retry log. */
  message: string;
  /** google.rpc.ErrorInfo reason (SERVICE_DISABLED, ACCESS_TOKEN_SCOPE_INSUFFICIENT, ...). */
  reason?: string;
  /** ErrorInfo metadata `consumer`, e.g. "projects/482913675021" for SERVICE_DISABLED. */
  consumer?: string;
  network: boolean;
  cause: string;
  fix?: Fix;
}

/** google-gax GoogleError: code, details, reason, errorInfoMetadata (node_modules/google-gax/build/src/googleError.js). */
export function viewGcpError(err: unknown): GcpErrorView {
  const e = err as { name?: string; code?: unknown; message?: string; details?: string; reason?: string; errorInfoMetadata?: Record<string, string> };
  const network = isGcpNetworkError(err);
  const diagnosis = classifyError(err, "gcpckms");
  const status = typeof e?.code === "number" ? GRPC_NAMES[e.code] ?? String(e.code) : e?.name ?? "Error";
  const raw = String(e?.details || e?.message || err);
  let message = raw.split("\n")[0]!.replace(/^\d+ [A-Z_]+: /, "").replace(/ : Previous errors : .*$/, "").replace(/\.+$/, "");
  let shownStatus = status;
  // gax ends retried UNAVAILABLE with "Total timeout of API X exceeded N milliseconds retrying error Error: 14
  // UNAVAILABLE: ... before any response was received" (node_modules/google-gax/build/src/normalCalls/retries.js).
  const retried = /exceeded (\d+) milliseconds retrying error Error: \d+ ([A-Z_]+): (.*?)\s+before any response was received/.exec(message);
  if (retried) {
    shownStatus = retried[2]!;
    message = `${retried[3]!.replace(/\.+$/, "")} (retried for ${retried[1]} ms)`;
  }
  return {
    status: shownStatus,
    message,
    reason: e?.reason,
    consumer: e?.errorInfoMetadata?.consumer,
    network,
    cause: network ? "network_unreachable" : diagnosis.cause,
    fix: network ? undefined : diagnosis.fix,
  };
}

export const errorText = (view: GcpErrorView) => `${view.status}: ${view.message}`;

/** The flags every `gcloud kms keys ...` command of this seal needs. */
import { keyFlags } from "./key-flags.js";
export { keyFlags };

export function memberOf(creds: GcpCredentialFacts | undefined): string {
  return creds?.member ?? "serviceAccount:<SERVICE_ACCOUNT_EMAIL>";
}

/** add-iam-policy-binding on the key itself: the narrowest grant that works. */
export function grantFix(cfg: GcpConfigFacts, member: string, roles: string[], summary: string): Fix {
  return {
    summary,
    commands: roles.map((role) => `gcloud kms keys add-iam-policy-binding ${cfg.cryptoKey} ${keyFlags(cfg)} --member ${member} --role ${role}`),
    docs: `${GCPCKMS_DOCS}#authentication-permissions`,
  };
}

/** proto Timestamp / Duration as google-gax hands them over ({ seconds: "123" | Long, nanos }). */
export function protoSeconds(value: { seconds?: unknown } | null | undefined): number | undefined {
  if (!value || value.seconds === undefined || value.seconds === null) return undefined;
  const n = Number(String(value.seconds));
  return Number.isFinite(n) ? n : undefined;
}

export function protoTime(value: { seconds?: unknown } | null | undefined): string | undefined {
  const s = protoSeconds(value);
  return s === undefined ? undefined : new Date(s * 1000).toISOString();
}

declare module "../facts.js" {
  interface FactMap {
    "gcpckms.config": GcpConfigFacts;
    "gcpckms.credentials": GcpCredentialFacts;
    "gcpckms.api-enabled": { enabled: true };
    "gcpckms.key": GcpKeyFacts;
  }
}
