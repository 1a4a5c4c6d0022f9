// Files that SDKs will read on their own, with no cap: the AWS SDK reads AWS_CONFIG_FILE and the shared credentials
// file with fs.promises.readFile (@smithy/core 3.41.0 src/submodules/config/shared-ini-file-loader/readFile.ts) and
// the web identity token with readFileSync (@aws-sdk/credential-provider-web-identity 3.972.90 src/fromTokenFile.ts);
// google-auth-library reads GOOGLE_APPLICATION_CREDENTIALS and gcloud's ADC file the same way. They are checked once, before any check runs, with the bounded
// reader's rules: a FIFO, a device or an oversized file is a usage error (exit 2) naming the file, instead of a run
// that hangs or grows memory at disk speed. A missing file is left alone: the checks report it in their own words.
// (A file swapped between this look and the SDK's read is outside what a preflight can promise.)
import { homedir } from "node:os";
import { join } from "node:path";
import { refuseIfHostile, type FileKind } from "./read-bounded.js";

/** Seal settings that name a file some SDK or check reads, and what kind of file it is. */
const SEAL_FILE_KEYS: Record<string, FileKind> = {
  shared_creds_filename: "aws-shared-file",
  web_identity_token_file: "web-identity-token",
  tls_ca_cert: "ca-cert",
};

/** The files named by the environment and flags a check/gate/migrate run hands to SDKs. */
export function preflightInputFiles(env: NodeJS.ProcessEnv, argv: Record<string, unknown> = {}): void {
  const home = env.HOME ?? homedir();
  const files: [string | undefined, FileKind][] = [
    [env.AWS_CONFIG_FILE ?? join(home, ".aws", "config"), "aws-shared-file"],
    [env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"), "aws-shared-file"],
    [env.AWS_WEB_IDENTITY_TOKEN_FILE, "web-identity-token"],
    [env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, "web-identity-token"],
    [env.GOOGLE_APPLICATION_CREDENTIALS, "credentials"],
    [join(env.CLOUDSDK_CONFIG ?? join(home, ".config", "gcloud"), "application_default_credentials.json"), "credentials"],
    [env.VAULT_CACERT, "ca-cert"],
    [typeof argv["ca-cert"] === "string" ? argv["ca-cert"] : undefined, "ca-cert"],
  ];
  for (const [file, kind] of files) refuseIfHostile(file, kind);
}

/** A seal setting that names a file (not a `file://` value: those are read, bounded, when the config is read). */
export function preflightSealFile(key: string, value: string, sealType: string): void {
  const kind = (Object.hasOwn(SEAL_FILE_KEYS, key) ? SEAL_FILE_KEYS[key] : undefined) ?? (sealType === "gcpckms" && key === "credentials" && !value.trimStart().startsWith("{") ? "credentials" : undefined);
  if (kind && value) refuseIfHostile(value, kind);
}
