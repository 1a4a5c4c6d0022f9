// The one redaction function. Every reporter and every log line passes through `redact`, so keeping
// secrets out of output is a property of the pipeline, not a discipline each check must remember.

import { isSecretSetting, secretEnvVars } from "./seals/index.js";

const secrets = new Set<string>();

/** Seal settings that hold secrets whatever the seal type (beyond each descriptor's own `secret` settings). */
const GENERIC_SECRET_SETTINGS = new Set(["credentials_json"]);

/** Whether a seal setting's value is a secret: one any seal descriptor (src/seals/) marks secret, whatever this seal's type. */
export function isSecretSealSetting(key: string): boolean {
  return GENERIC_SECRET_SETTINGS.has(key) || isSecretSetting(undefined, key);
}

/** Remembers a secret so that it is scrubbed from any output, with recognisable fragments of it. */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const v = value.trim();
  if (v.length < 6) return;
  secrets.add(v);
  // A secret spread over lines (a PEM key, a JSON file) is also scrubbed line by line.
  for (const line of v.split(/\r?\n/)) if (line.trim().length >= 12) secrets.add(line.trim());
}

export function registerSecretsFromEnv(env: NodeJS.ProcessEnv): void {
  for (const name of secretEnvVars()) registerSecret(env[name]);
}

/** `AKIAIOSFODNN7EXAMPLE` -> `AKIA…MPLE`: enough to tell keys apart, not enough to use one. */
export function maskAccessKeyId(id: string): string {
  return id.length <= 8 ? "…" : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

// Secrets operators paste along with their errors, recognisable by a label or a prefix. Every pattern starts
// with a literal and uses bounded classes, so it runs in linear time on hostile input.
const LABELLED: RegExp[] = [
  /((?:aws_secret_access_key|secret_access_key|secretaccesskey|secret_key|secretkey)["']?\s{0,5}[:=]\s{0,5}["']?)[A-Za-z0-9/+=]{16,128}/gi,
  /((?:aws_session_token|session_token|sessiontoken|x-amz-security-token)["']?\s{0,5}[:=]\s{0,5}["']?)[A-Za-z0-9/+=%]{16,4096}/gi,
  /((?:client_secret|clientsecret|azure_client_secret)["']?\s{0,5}[:=]\s{0,5}["']?)[^\s"'&,;]{4,512}/gi,
  /((?:vault_token|x-vault-token|"token"|\btoken)["']?\s{0,5}[:=]\s{0,5}["']?)(?:hvs|hvb|hvr|s|b|r)\.[A-Za-z0-9_-]{8,512}/gi,
  /(authorization:\s{0,5}bearer\s{1,5})[A-Za-z0-9._~+/=-]{8,8192}/gi,
];

const PATTERNS: [RegExp, (m: string) => string][] = [
  // STS session tokens start with these base64 prefixes.
  [/\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{8,4096}/g, () => "<redacted>"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, () => "<redacted private key>"],
  [/"private_key(?:_id)?"\s*:\s*"[^"]*"/g, (m) => `${m.slice(0, m.indexOf(":"))}: "<redacted>"`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, () => "<redacted token>"],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,20}\b/g, maskAccessKeyId],
  [/\b(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|s\.[A-Za-z0-9]{24}\b)/g, () => "<redacted vault token>"],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function redactText(text: string): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join("<redacted>");
    // Fragments (first/last 8 characters) of a long secret are recognisable too.
    if (s.length >= 24) {
      for (const frag of [s.slice(0, 8), s.slice(-8)]) if (/[A-Za-z0-9]{8}/.test(frag) && out.includes(frag)) out = out.replace(new RegExp(escapeRegExp(frag), "g"), "<redacted>");
    }
  }
  for (const re of LABELLED) out = out.replace(re, "$1<redacted>");
  for (const [re, replace] of PATTERNS) out = out.replace(re, replace);
  return out;
}

/** Deep-redacts any JSON-like value: every string in it goes through redactText. */
export function redact<T>(value: T): T {
  if (typeof value === "string") return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v);
    return out as T;
  }
  return value;
}
