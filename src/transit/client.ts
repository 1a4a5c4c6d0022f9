// The transit seal's wire: the Vault HTTP API, spoken with Node's own http/https and the TLS settings the
// seal's API client would use (openbao api/client.go configureTLS: CA file or CA directory, client
// certificate, server name, skip-verify). Every call has a deadline and follows the run's abort signal; bodies
// are capped. The token travels in X-Vault-Token and is never part of any text this module returns.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TLSSocket, PeerCertificate } from "node:tls";
import type { TransitSettings } from "./settings.js";
import { isTrue } from "./settings.js";
import { registerSecret } from "../redact.js";

const MAX_BODY = 1024 * 1024;
const MAX_PEM = 256 * 1024;

export interface PeerCert {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Days left before notAfter (negative when expired). */
  daysLeft: number;
}

export interface TransitResponse {
  status: number;
  json?: Record<string, unknown>;
  /** The API's `errors` list. */
  errors: string[];
  /** The API client's error text for a non-2xx answer: "Error making API request. URL: … Code: N. Errors: * …". */
  text: string;
  cert?: PeerCert;
}

export interface TransitFailure {
  /** Node's error code: ECONNREFUSED, ETIMEDOUT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, … */
  code: string;
  message: string;
  kind: "network" | "tls" | "timeout" | "config";
}

export type TransitResult = ({ ok: true } & TransitResponse) | ({ ok: false } & TransitFailure);

export interface CallOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** Send the seal token (default true). */
  auth?: boolean;
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|ERR_SSL_|EPROTO|HOSTNAME_MISMATCH)/;

function readCapped(path: string): Buffer {
  const size = statSync(path).size;
  if (size > MAX_PEM) throw new Error(`${path} is larger than ${MAX_PEM} bytes`);
  return readFileSync(path);
}

interface TlsOptions {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized: boolean;
}

/** The TLS material as the API client would load it; throws with a readable message when a file is unusable. */
export function tlsOptions(s: TransitSettings): TlsOptions {
  const out: TlsOptions = { rejectUnauthorized: !isTrue(s.skipVerify) };
  if (s.caCert) out.ca = [readCapped(s.caCert.value)];
  else if (s.caPath) {
    // go-rootcerts LoadCAPath: every file in the directory (bounded here to 256 files).
    out.ca = readdirSync(s.caPath.value).slice(0, 256).map((f) => join(s.caPath!.value, f)).filter((p) => statSync(p).isFile()).map(readCapped);
  }
  if (s.clientCert || s.clientKey) {
    if (!s.clientCert || !s.clientKey) throw new Error("both client cert and client key must be provided");
    out.cert = readCapped(s.clientCert.value);
    // tls_client_key may be env:// or file:// (ParsePaths); a key given inline is a path in the API client.
    out.key = readCapped(s.clientKey.value);
  }
  if (s.serverName) out.servername = s.serverName.value;
  return out;
}

function peerCert(res: IncomingMessage): PeerCert | undefined {
  const sock = res.socket as TLSSocket | null;
  if (!sock || typeof sock.getPeerCertificate !== "function") return undefined;
  const c: PeerCertificate = sock.getPeerCertificate();
  if (!c || !c.valid_to) return undefined;
  const to = new Date(c.valid_to);
  return {
    subject: [c.subject?.CN ?? ""].flat().join(","),
    issuer: [c.issuer?.CN ?? ""].flat().join(","),
    validFrom: new Date(c.valid_from).toISOString(),
    validTo: to.toISOString(),
    daysLeft: Math.floor((to.getTime() - Date.now()) / 86_400_000),
  };
}

/** The address the client dials (the agent address replaces the configured one, as api.NewClient does). */
export function effectiveAddress(s: TransitSettings): string {
  return (s.agentAddress ?? s.address).value.replace(/\/+$/, "");
}

/** One request to the transit cluster's API: `/v1/<path>`. */
export async function transitCall(s: TransitSettings, method: "GET" | "POST" | "PUT", path: string, body: unknown, opts: CallOptions): Promise<TransitResult> {
  const base = effectiveAddress(s);
  let url: URL;
  try {
    url = new URL(`${base}/v1/${path.replace(/^\/+/, "")}`);
  } catch {
    return { ok: false, code: "ERR_INVALID_URL", message: `address ${JSON.stringify(base)} is not a URL`, kind: "config" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, code: "ERR_INVALID_URL", message: `unsupported protocol scheme "${url.protocol.replace(/:$/, "")}"`, kind: "config" };
  let tls: TlsOptions | undefined;
  if (url.protocol === "https:") {
    try {
      tls = tlsOptions(s);
    } catch (err) {
      return { ok: false, code: (err as NodeJS.ErrnoException).code ?? "TLS_CONFIG", message: (err as Error).message, kind: "config" };
    }
  }
  const headers: Record<string, string> = { "X-Vault-Request": "true" };
  if (opts.auth !== false && s.token) {
    registerSecret(s.token.value);
    headers["X-Vault-Token"] = s.token.value;
  }
  if (s.namespace) headers["X-Vault-Namespace"] = s.namespace.value;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  return await new Promise<TransitResult>((resolve) => {
    let settled = false;
    const done = (r: TransitResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, { method, headers, signal, ...(tls ?? {}) }, (res) => {
      const chunks: Buffer[] = [];
      const cert = peerCert(res);
      let size = 0;
      res.on("data", (d: Buffer) => {
        size += d.length;
        if (size <= MAX_BODY) chunks.push(d);
      });
      res.on("error", (err) => done({ ok: false, ...failure(err, signal, opts.timeoutMs) }));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        let json: Record<string, unknown> | undefined;
        try {
          json = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : undefined;
        } catch {
          json = undefined;
        }
        const raw = Array.isArray(json?.errors) ? (json!.errors as unknown[]).map(String) : [];
        // go-multierror's "1 error occurred:\n\t* permission denied\n\n" -> "permission denied".
        const errors = raw.flatMap((e) => (/^\d+ errors? occurred:/.test(e) ? [...e.matchAll(/^\s*\* (.+)$/gm)].map((m) => m[1]!.trim()) : [e.trim()]));
        const text = status >= 200 && status < 300 ? "" : apiErrorText(method, url, status, errors);
        done({ ok: true, status, json, errors, text, cert });
      });
    });
    req.on("error", (err) => done({ ok: false, ...failure(err, signal, opts.timeoutMs) }));
    req.end(payload);
  });
}

/** As openbao api/response.go Error() prints it (the texts Vault's logs carry). */
function apiErrorText(method: string, url: URL, status: number, errors: string[]): string {
  const list = errors.length ? errors.map((e) => `* ${e}`).join("\n") : "";
  return `Error making API request.\n\nURL: ${method} ${url.origin}${url.pathname}\nCode: ${status}. Errors:\n\n${list}`;
}

function failure(err: unknown, signal: AbortSignal, timeoutMs: number): TransitFailure {
  const e = err as NodeJS.ErrnoException;
  if (signal.aborted || e?.name === "AbortError") return { code: "ETIMEDOUT", message: `no answer within ${timeoutMs} ms`, kind: "timeout" };
  const code = e?.code ?? "ERROR";
  return { code, message: e?.message ?? String(err), kind: TLS_CODES.test(code) ? "tls" : "network" };
}

/** A short readable form of a failure, for messages. */
export function failureText(f: TransitFailure): string {
  return `${f.code}: ${f.message}`;
}

/** The `data` object of an answer. */
export function dataOf(r: TransitResponse): Record<string, unknown> {
  const d = r.json?.data;
  return d && typeof d === "object" ? (d as Record<string, unknown>) : {};
}
