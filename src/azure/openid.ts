// One bounded GET of a tenant's OpenID configuration ({authority}/{tenant}/v2.0/.well-known/openid-configuration),
// only to read the AADSTS text Entra ID answers for a tenant it does not know (AADSTS90002), which MSAL hides behind
// "endpoints_resolution_error". Through node:https with the doctor's test CA, if any; the body is capped.
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { AZURE_CA_FILE_ENV } from "./session.js";

const MAX_BODY = 64 * 1024;

export type OpenIdProbe = { kind: "aad"; text: string } | { kind: "network"; error: string } | undefined;

/** The error_description Entra ID gave, the network error when nothing answered, undefined when the document is served. */
export function openIdConfigurationError(env: NodeJS.ProcessEnv, tenantId: string, timeoutMs: number): Promise<OpenIdProbe> {
  const host = (env.AZURE_AUTHORITY_HOST || "https://login.microsoftonline.com").replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(`${host}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`);
  } catch {
    return Promise.resolve(undefined);
  }
  if (url.protocol !== "https:") return Promise.resolve(undefined);
  const caFile = env[AZURE_CA_FILE_ENV];
  const ca = caFile ? readFileSync(caFile, "utf8") : undefined;
  return new Promise((resolve) => {
    const req = request(url, { method: "GET", timeout: timeoutMs, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on("end", () => {
        if ((res.statusCode ?? 0) < 400) return resolve(undefined);
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: string; error_description?: string };
          resolve(body.error_description ? { kind: "aad", text: `${body.error ?? "error"}: ${body.error_description}` } : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ kind: "network", error: `${err.code ?? err.name}: ${err.message}` }));
    req.end();
  });
}
