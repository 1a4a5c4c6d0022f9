// The one redaction function. Every reporter and every log line passes through `redact`, so keeping
// secrets out of output is a property of the pipeline, not a discipline each check must remember.

import { isSecretSetting, secretEnvVars } from "./seals/index.js";

const secrets = new Set<string>();
/** Built from `secrets` on first use after a change: one pass over a text finds every registered secret. */
let matcher: SecretMatcher | undefined;

/** A secret spread over more lines than this is not a credential format (a PEM key is ~100 lines at most). */
const MAX_SECRET_LINES = 256;

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
  if (secrets.has(v)) return;
  secrets.add(v);
  matcher = undefined;
  // A secret spread over lines (a PEM key, a JSON file) is also scrubbed line by line.
  const lines = v.split(/\r?\n/, MAX_SECRET_LINES + 1);
  if (lines.length <= MAX_SECRET_LINES) for (const line of lines) if (line.trim().length >= 12) secrets.add(line.trim());
}

/** Shortest needle: registerSecret keeps only secrets of 6 characters or more; fragments are 8. */
const KEY_LENGTH = 6;

/**
 * Every registered secret, and the first and last 8 characters of the long ones, found in one left-to-right pass
 * (leftmost, then longest): candidates are looked up by the 6 characters at each position, so the cost is the
 * length of the text, not secrets x text as a loop of `includes` would be.
 */
class SecretMatcher {
  private readonly byKey = new Map<string, string[]>();

  constructor(values: Iterable<string>) {
    const needles = new Set<string>();
    for (const s of values) {
      needles.add(s);
      // Fragments (first/last 8 characters) of a long secret are recognisable too.
      if (s.length >= 24) for (const frag of [s.slice(0, 8), s.slice(-8)]) if (/^[A-Za-z0-9]{8}$/.test(frag)) needles.add(frag);
    }
    for (const n of needles) {
      const key = n.slice(0, KEY_LENGTH);
      const list = this.byKey.get(key);
      if (list) list.push(n);
      else this.byKey.set(key, [n]);
    }
    for (const list of this.byKey.values()) list.sort((a, b) => b.length - a.length);
  }

  replace(text: string): string {
    if (this.byKey.size === 0 || text.length < KEY_LENGTH) return text;
    let out = "";
    let copied = 0;
    for (let i = 0; i + KEY_LENGTH <= text.length; ) {
      const list = this.byKey.get(text.slice(i, i + KEY_LENGTH));
      const hit = list?.find((n) => text.startsWith(n, i));
      if (hit) {
        out += text.slice(copied, i) + "<redacted>";
        i += hit.length;
        copied = i;
      } else i++;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}

export function registerSecretsFromEnv(env: NodeJS.ProcessEnv): void {
  for (const name of secretEnvVars()) registerSecret(env[name]);
}

/** `AKIAIOSFODNN7EXAMPLE` -> `AKIA…MPLE`: enough to tell keys apart, not enough to use one. */
export function maskAccessKeyId(id: string): string {
  return id.length <= 8 ? "…" : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

// Secrets operators paste along with their errors, recognisable by a label or a prefix. Every pattern starts
// with a literal and uses bounded classes, so it runs in linear time on hostile input. `(?:\\?["'])?` also takes
// the JSON-escaped quotes of Vault's JSON logs (`\"secret_key\":\"…\"`).
const Q = String.raw`(?:\\?["'])?`;
const SEP = String.raw`${Q}\s{0,5}[:=]\s{0,5}${Q}`;
const labelled = (labels: string, value: string): RegExp => new RegExp(`((?:${labels})${SEP})${value}`, "gi");
const LABELLED: RegExp[] = [
  labelled("aws_secret_access_key|secret_access_key|secretaccesskey|secret_key|secretkey", "[A-Za-z0-9/+=]{16,128}"),
  labelled("aws_session_token|session_token|sessiontoken|x-amz-security-token", "[A-Za-z0-9/+=%]{16,4096}"),
  labelled("client_secret|clientsecret|azure_client_secret|client_certificate_password", String.raw`[^\s"'&,;\\]{4,512}`),
  labelled(String.raw`vault_token|bao_token|"token"|\btoken`, String.raw`(?:hvs|hvb|hvr|s|b|r)\.[A-Za-z0-9_-]{8,512}`),
  // Any X-Vault-Token, OAuth tokens, passwords and PINs: whatever the value looks like.
  labelled(String.raw`x-vault-token|access_token|refresh_token|id_token|\bpassword|\bpasswd|\bpin`, String.raw`[^\s"'&,;\\]{1,8192}`),
  labelled("authorization", String.raw`(?:bearer|basic|negotiate)\s{1,5}[A-Za-z0-9._~+/=-]{1,8192}`),
];

const PATTERNS: [RegExp, (m: string) => string][] = [
  // STS session tokens start with these base64 prefixes.
  [/\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{8,4096}/g, () => "<redacted>"],
  // A key without its END line swallows only what looks like its body (base64 lines, PEM headers), at most 256
  // chunks: the text after a truncated key stays visible to the rule table.
  [/-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----(?:(?:\s{1,4}|\\[rn]){1,4}(?:[A-Za-z0-9+/=]{1,100}|(?:Proc-Type|DEK-Info):[^\n\\]{0,200})){0,256}(?:(?:\s{1,4}|\\[rn]){0,4}-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g, () => "<redacted private key>"],
  [/"private_key(?:_id)?"\s*:\s*"[^"]*"/g, (m) => `${m.slice(0, m.indexOf(":"))}: "<redacted>"`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, () => "<redacted token>"],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,20}\b/g, maskAccessKeyId],
  [/\b(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|s\.[A-Za-z0-9]{24}\b)/g, () => "<redacted vault token>"],
];

// Credentials with a recognisable place: what precedes them ($1) stays.
const KEEP_PREFIX: [RegExp, string][] = [
  // user:password@ (or a bare token@) in any URL, also with JSON-escaped slashes.
  [/\b([a-z][a-z0-9+.-]{0,20}:(?:\\?\/){2})[^\s/\\?#@"'<>]{1,1024}@/gi, "$1<redacted>@"],
  // Query parameters that carry a credential.
  [/([?&](?:token|access_token|auth|sig|signature|password|secret|client_secret|code)=)[^\s&#"'\\]{1,8192}/gi, "$1<redacted>"],
  // SigV4: `Authorization: AWS4-HMAC-SHA256 ..., Signature=<hex>` and presigned `X-Amz-Signature=<hex>`.
  [/\b((?:X-Amz-)?Signature=)[0-9a-fA-F]{16,128}/g, "$1<redacted>"],
];

export function redactText(text: string): string {
  matcher ??= new SecretMatcher(secrets);
  let out = matcher.replace(text);
  for (const re of LABELLED) out = out.replace(re, "$1<redacted>");
  for (const [re, replace] of PATTERNS) out = out.replace(re, replace);
  for (const [re, replace] of KEEP_PREFIX) out = out.replace(re, replace);
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
