import { redactText } from "../redact.js";

// Removes credentials that operators paste along with their errors (AWS secret keys, STS session
// tokens, client secrets, Vault tokens) before anything is matched, extracted or echoed.
// Every pattern starts with a literal label or prefix and uses bounded classes, so it runs in linear time.

const REDACTED = "<redacted>";

const LABELLED_SECRETS: RegExp[] = [
  // aws_secret_access_key = ..., "SecretAccessKey": "...", secret_key = "..."
  /((?:aws_secret_access_key|secret_access_key|secretaccesskey|secret_key|secretkey)["']?\s{0,5}[:=]\s{0,5}["']?)[A-Za-z0-9/+=]{16,128}/gi,
  /((?:aws_session_token|session_token|sessiontoken|x-amz-security-token)["']?\s{0,5}[:=]\s{0,5}["']?)[A-Za-z0-9/+=%]{16,4096}/gi,
  /((?:client_secret|clientsecret|azure_client_secret)["']?\s{0,5}[:=]\s{0,5}["']?)[^\s"'&,;]{4,512}/gi,
  /((?:vault_token|x-vault-token|"token"|\btoken)["']?\s{0,5}[:=]\s{0,5}["']?)(?:hvs|hvb|hvr|s|b|r)\.[A-Za-z0-9_-]{8,512}/gi,
  /(authorization:\s{0,5}bearer\s{1,5})[A-Za-z0-9._~+/=-]{8,8192}/gi,
];

// Unlabelled forms that are recognisable by their prefix.
const PREFIXED_SECRETS: RegExp[] = [
  // STS session tokens start with these base64 prefixes.
  /\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{8,4096}/g,
];

/**
 * The project's redaction (src/redact.ts: registered secrets, PEM keys, JWTs, Vault tokens) plus the
 * unregistered forms operators paste: labelled secret keys and STS session tokens.
 */
export function redactSecrets(text: string): string {
  let out = redactText(text);
  for (const re of LABELLED_SECRETS) out = out.replace(re, `$1${REDACTED}`);
  for (const re of PREFIXED_SECRETS) out = out.replace(re, REDACTED);
  return out;
}
