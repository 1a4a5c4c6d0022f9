// Which Google credentials Vault's gcpckms seal will use. The wrapper takes GOOGLE_CREDENTIALS, else the
// stanza's `credentials` (Vault also copies GOOGLE_APPLICATION_CREDENTIALS there), as a FILE PATH for
// option.WithCredentialsFile; with neither, the Go client falls back to Application Default Credentials:
// GOOGLE_APPLICATION_CREDENTIALS, gcloud's application_default_credentials.json, then the GCE/GKE
// metadata server (go-kms-wrapping wrappers/gcpckms/gcpckms.go SetConfig/createClient;
// golang.org/x/oauth2/google FindDefaultCredentials).
import { existsSync } from "node:fs";
import { readBoundedText } from "../fs/read-bounded.js";
import { homedir } from "node:os";
import { join } from "node:path";
import type { SealConfig } from "../config/seal-config.js";
import { formatProvenance, sealValue } from "../config/seal-config.js";
import { registerSecret } from "../redact.js";

/** Key file types the Go and Node auth libraries load (google-auth-library build/src/auth/googleauth.js fromJSON). */
export const KNOWN_CREDENTIAL_TYPES = ["service_account", "external_account", "authorized_user", "impersonated_service_account", "external_account_authorized_user"];

export interface CredentialsFileChoice {
  kind: "file";
  path: string;
  /** "env GOOGLE_CREDENTIALS", "fixtures/vault.hcl:9", ... */
  from: string;
  /** Which mechanism reads it: the wrapper's credsPath, ADC's GOOGLE_APPLICATION_CREDENTIALS, or ADC's well-known gcloud file. */
  via: "credentials" | "adc-env" | "gcloud-adc";
}

export type CredentialChoice = CredentialsFileChoice | { kind: "metadata"; host: string } | { kind: "none"; reason: string };

/** gcloud's ADC file: $CLOUDSDK_CONFIG, else ~/.config/gcloud (%APPDATA%\gcloud on Windows). */
export function gcloudAdcFile(env: NodeJS.ProcessEnv): string {
  const dir = env.CLOUDSDK_CONFIG || (process.platform === "win32" && env.APPDATA ? join(env.APPDATA, "gcloud") : join(env.HOME || homedir(), ".config", "gcloud"));
  return join(dir, "application_default_credentials.json");
}

export function chooseCredentials(seal: SealConfig, env: NodeJS.ProcessEnv): CredentialChoice {
  if (env.GOOGLE_CREDENTIALS) return { kind: "file", path: env.GOOGLE_CREDENTIALS, from: "env GOOGLE_CREDENTIALS", via: "credentials" };
  const configured = sealValue(seal, "credentials");
  if (configured) return { kind: "file", path: configured, from: formatProvenance(seal.values.credentials!.from), via: "credentials" };
  // Vault copies GOOGLE_APPLICATION_CREDENTIALS into `credentials` (its env overlay, caught just above); OpenBao 2.6
  // does not (src/seals/gcpckms.ts envFor.openbao), and then the Go client's ADC reads it before gcloud's file:
  // cloud.google.com/go/auth v0.20.0 credentials/detect.go DetectDefault -> credsfile.GetFileNameFromEnv.
  // Seen in the conformance row gcp:healthy, where OpenBao unsealed with only this variable set.
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return { kind: "file", path: env.GOOGLE_APPLICATION_CREDENTIALS, from: "env GOOGLE_APPLICATION_CREDENTIALS", via: "adc-env" };
  const adc = gcloudAdcFile(env);
  if (existsSync(adc)) return { kind: "file", path: adc, from: "gcloud application-default login", via: "gcloud-adc" };
  // METADATA_SERVER_DETECTION=none is google-auth-library's switch (node_modules/gcp-metadata/build/src/index.js):
  // the doctor honours it and never probes 169.254.169.254 when told not to.
  if ((env.METADATA_SERVER_DETECTION ?? "").trim().toLowerCase() === "none") {
    return { kind: "none", reason: "no credentials file, no gcloud ADC file, and metadata server detection is off (METADATA_SERVER_DETECTION=none)" };
  }
  return { kind: "metadata", host: env.GCE_METADATA_HOST || env.GCE_METADATA_IP || "metadata.google.internal" };
}

export interface KeyFileInspection {
  ok: boolean;
  /** Why it is unusable: missing, unreadable, json-content, not-json, unknown-type. */
  problem?: "missing" | "unreadable" | "json-content" | "not-json" | "unknown-type";
  error?: string;
  type?: string;
  clientEmail?: string;
  projectId?: string;
}

/** Reads a credentials file the way the Go client will; the private key never leaves this function unregistered. */
export function inspectKeyFile(path: string): KeyFileInspection {
  // Terraform users put the JSON itself in GOOGLE_CREDENTIALS; Vault treats the value as a path.
  if (path.trimStart().startsWith("{")) {
    registerSecret(path);
    try {
      registerSecret((JSON.parse(path) as { private_key?: string }).private_key);
    } catch {
      /* not even JSON: registered whole above */
    }
    return { ok: false, problem: "json-content" };
  }
  if (!existsSync(path)) return { ok: false, problem: "missing" };
  let text: string;
  try {
    text = readBoundedText(path, "credentials");
  } catch (err) {
    return { ok: false, problem: "unreadable", error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    registerSecret(text);
    return { ok: false, problem: "not-json", error: (err as Error).message };
  }
  for (const secret of ["private_key", "private_key_id", "client_secret", "refresh_token"]) if (typeof json[secret] === "string") registerSecret(json[secret] as string);
  const type = typeof json.type === "string" ? json.type : undefined;
  const clientEmail = typeof json.client_email === "string" ? json.client_email : impersonatedEmail(json);
  const projectId = typeof json.project_id === "string" ? json.project_id : undefined;
  if (!type || !KNOWN_CREDENTIAL_TYPES.includes(type)) return { ok: false, problem: "unknown-type", type: type ?? "(none)", clientEmail, projectId };
  return { ok: true, type, clientEmail, projectId };
}

/** impersonated_service_account files name the target in service_account_impersonation_url (.../serviceAccounts/<email>:generateAccessToken). */
function impersonatedEmail(json: Record<string, unknown>): string | undefined {
  const url = json.service_account_impersonation_url;
  if (typeof url !== "string") return undefined;
  return /serviceAccounts\/([^:/]+):generateAccessToken/.exec(url)?.[1];
}

export interface MetadataIdentity {
  email?: string;
  scopes?: string[];
  /** GKE: instance/attributes/cluster-name answers on GKE nodes (and through the GKE metadata server). */
  clusterName?: string;
  clusterLocation?: string;
  zone?: string;
  instanceName?: string;
  error?: string;
}

/**
 * Reads the default service account's email and scopes from the metadata server, each request bounded.
 * Paths: https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys; every request needs
 * `Metadata-Flavor: Google`.
 */
export async function readMetadataIdentity(host: string, timeoutMs: number): Promise<MetadataIdentity> {
  const get = async (path: string): Promise<string | undefined> => {
    const res = await fetch(`http://${host}/computeMetadata/v1/${path}`, { headers: { "Metadata-Flavor": "Google" }, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return res.ok ? body.trim() : undefined;
  };
  try {
    const email = await get("instance/service-accounts/default/email");
    if (!email) return { error: "the metadata server has no default service account" };
    const [scopes, clusterName, clusterLocation, zone, hostname] = await Promise.all([
      get("instance/service-accounts/default/scopes"),
      get("instance/attributes/cluster-name").catch(() => undefined),
      get("instance/attributes/cluster-location").catch(() => undefined),
      get("instance/zone").catch(() => undefined),
      get("instance/hostname").catch(() => undefined),
    ]);
    return {
      email,
      scopes: scopes ? scopes.split(/\s+/).filter(Boolean) : [],
      clusterName: clusterName || undefined,
      clusterLocation: clusterLocation || undefined,
      // "projects/482913675021/zones/us-central1-a" -> "us-central1-a"
      zone: zone?.split("/").pop() || undefined,
      instanceName: hostname?.split(".")[0] || undefined,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { error: e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : e.cause?.code ?? e.message };
  }
}

/** Scopes that let a token call Cloud KMS (https://cloud.google.com/kms/docs/reference/rest: OAuth scopes). */
export const KMS_SCOPES = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/cloudkms"];

/** The Compute Engine default service account: <project-number>-compute@developer.gserviceaccount.com. */
export function isComputeDefaultAccount(email: string): boolean {
  return /^\d+-compute@developer\.gserviceaccount\.com$/.test(email);
}
