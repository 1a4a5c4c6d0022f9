// Decodes (does not verify) a projected service-account token: enough to compare iss/sub/aud/exp with
// what an IAM role's trust policy expects.

export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud: string[];
  exp?: number;
  iat?: number;
}

export function decodeJwt(token: string): JwtClaims | undefined {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    const aud = payload.aud;
    return {
      iss: typeof payload.iss === "string" ? payload.iss : undefined,
      sub: typeof payload.sub === "string" ? payload.sub : undefined,
      aud: Array.isArray(aud) ? aud.map(String) : typeof aud === "string" ? [aud] : [],
      exp: typeof payload.exp === "number" ? payload.exp : undefined,
      iat: typeof payload.iat === "number" ? payload.iat : undefined,
    };
  } catch {
    return undefined;
  }
}

/** `system:serviceaccount:<namespace>:<name>` -> parts */
export function parseServiceAccountSubject(sub: string | undefined): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(sub ?? "");
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}
