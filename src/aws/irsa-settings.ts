// IRSA as configured for the seal (role_arn + web_identity_token_file, or AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE),
// with the projected token's claims decoded (not verified). Read from the configuration itself, so that it is known
// even when the web identity exchange fails and the credentials check has no facts to share.
import { readBoundedText } from "../fs/read-bounded.js";
import type { SealConfig } from "../config/seal-config.js";
import { candidateSources } from "./credential-sources.js";
import { decodeJwt, type JwtClaims } from "./jwt.js";
import { registerSecret } from "../redact.js";

export interface IrsaSettings {
  roleArn: string;
  tokenFile: string;
  claims?: JwtClaims;
  /** Why the claims are missing: the file could not be read (errno), or holds no JWT. */
  tokenProblem?: { kind: "unreadable"; error: string } | { kind: "not-jwt" };
}

export function readIrsaSettings(seal: SealConfig, env: NodeJS.ProcessEnv): IrsaSettings | undefined {
  const webIdentity = candidateSources(seal, env).candidates.find((c) => c.source === "web-identity");
  if (!webIdentity?.configured) return undefined;
  const roleArn = webIdentity.settings.roleArn!;
  const tokenFile = webIdentity.settings.tokenFile!;
  let token: string;
  try {
    token = readBoundedText(tokenFile, "web-identity-token");
    registerSecret(token);
  } catch (err) {
    return { roleArn, tokenFile, tokenProblem: { kind: "unreadable", error: (err as NodeJS.ErrnoException).code ?? (err as Error).message } };
  }
  const claims = decodeJwt(token);
  return claims ? { roleArn, tokenFile, claims } : { roleArn, tokenFile, tokenProblem: { kind: "not-jwt" } };
}
