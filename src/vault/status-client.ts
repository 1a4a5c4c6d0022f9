// A small HTTP client for Vault's two unauthenticated status endpoints. It never sends a token (these
// endpoints need none, and VAULT_TOKEN must not leave the machine for a status read), every request has a
// deadline, and each request uses its own connection that is closed afterwards (no keep-alive agent), so
// nothing keeps the process alive once a verdict is reached.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { readBounded } from "../fs/read-bounded.js";
import type { HealthReply, SealStatus } from "./seal-status.js";
import type { VaultTarget } from "./target.js";

const MAX_BODY_BYTES = 256 * 1024;

export class VaultRequestError extends Error {
  constructor(message: string, readonly code: string, readonly tls: boolean) {
    super(message);
    this.name = "VaultRequestError";
  }
}

// Node's TLS verification error codes (https://nodejs.org/api/tls.html, OpenSSL X509_V_ERR_* names).
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID", "ERR_SSL_WRONG_VERSION_NUMBER", "EPROTO",
]);

export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function getVaultJson(target: VaultTarget, path: string, opts: RequestOptions): Promise<{ statusCode: number; body: unknown }> {
  const url = new URL(`${target.addr}${path}`);
  let ca: Buffer | undefined;
  if (target.caCert) {
    try {
      ca = readBounded(target.caCert, "ca-cert");
    } catch (err) {
      throw new VaultRequestError(`cannot read CA certificate ${target.caCert}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "CA_UNREADABLE", true);
    }
  }
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: "GET",
      // No X-Vault-Token: sys/seal-status and sys/health are unauthenticated.
      headers: { accept: "application/json" },
      agent: false,
      signal,
      ...(url.protocol === "https:" ? { ca, rejectUnauthorized: !target.skipVerify } : {}),
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (deadline.aborted) return reject(new VaultRequestError(`${url.origin} did not answer ${path} within ${opts.timeoutMs} ms`, "TIMEOUT", false));
      if (signal.aborted) return reject(new VaultRequestError(`request to ${url.origin} was cancelled`, "ABORTED", false));
      const code = err.code ?? "ERROR";
      reject(new VaultRequestError(`${url.origin}${path}: ${code}: ${err.message}`, code, TLS_CODES.has(code)));
    });
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      res.on("error", (err) => reject(new VaultRequestError(`${url.origin}${path}: ${err.message}`, "RESPONSE", false)));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ statusCode: res.statusCode ?? 0, body: text === "" ? {} : JSON.parse(text) });
        } catch {
          // e.g. an HTTPS listener answering plain HTTP: "Client sent an HTTP request to an HTTPS server."
          reject(new VaultRequestError(`${url.origin}${path} answered HTTP ${res.statusCode} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, "NOT_JSON", false));
        }
      });
    });
    req.end();
  });
}

export async function readSealStatus(target: VaultTarget, opts: RequestOptions): Promise<SealStatus> {
  const { statusCode, body } = await getVaultJson(target, "/v1/sys/seal-status", opts);
  const b = body as Partial<SealStatus> & { errors?: string[] };
  if (statusCode !== 200 || typeof b.type !== "string" || typeof b.sealed !== "boolean") {
    const errors = Array.isArray(b.errors) ? `: ${b.errors.join("; ")}` : "";
    throw new VaultRequestError(`GET /v1/sys/seal-status answered HTTP ${statusCode}${errors}`, `HTTP_${statusCode}`, false);
  }
  return {
    type: b.type,
    initialized: Boolean(b.initialized),
    sealed: b.sealed,
    t: Number(b.t ?? 0),
    n: Number(b.n ?? 0),
    progress: Number(b.progress ?? 0),
    migration: Boolean(b.migration),
    recovery_seal: Boolean(b.recovery_seal),
    recovery_seal_type: b.recovery_seal_type,
    storage_type: b.storage_type,
    version: b.version,
    cluster_name: b.cluster_name,
  };
}

/** sys/health answers with a meaningful non-2xx status code; only a missing answer is an error. */
export async function readHealth(target: VaultTarget, opts: RequestOptions): Promise<HealthReply> {
  const { statusCode, body } = await getVaultJson(target, "/v1/sys/health", opts);
  return { statusCode, body: (body ?? {}) as HealthReply["body"] };
}
