// Which server the verdict speaks for: HashiCorp Vault or OpenBao (optionally a version, `openbao@2.6`). Given
// by --target, else detected: BAO_* variables in the environment, a `plugin "kms"` block in the config (an
// OpenBao 2.6+ stanza), else Vault. The choice and its reason are printed in every report.
import { UsageError } from "../exit-codes.js";
import { isTargetServer, TARGET_SERVERS, type TargetServer } from "./server-behaviour.js";

export interface Target {
  server: TargetServer;
  /** "2.6" from `openbao@2.6`; undefined when not given. */
  version?: string;
  /** Why this target: "--target openbao@2.6", "BAO_ADDR is set", "default". */
  why: string;
}

/** `vault`, `openbao`, `openbao@2.6`, `vault@1.18`. */
export function parseTarget(raw: string): Target {
  const m = /^([a-z]+)(?:@(\d+(?:\.\d+){0,2}))?$/.exec(raw.trim().toLowerCase());
  if (!m || !isTargetServer(m[1]!)) {
    throw new UsageError(`--target ${raw}: expected ${TARGET_SERVERS.join(" or ")}, optionally with a version (openbao@2.6)`);
  }
  return { server: m[1] as TargetServer, version: m[2], why: `--target ${raw.trim()}` };
}

/** Variables only OpenBao reads (api/env.go ReadBaoVariable: BAO_* first, VAULT_* as a fallback). */
const BAO_HINTS = ["BAO_ADDR", "BAO_TOKEN", "BAO_SEAL_TYPE", "BAO_CACERT", "BAO_NAMESPACE"];

export function detectTarget(opts: { flag?: string; env: NodeJS.ProcessEnv; kmsPlugins?: { name: string; where: string }[] }): Target {
  if (opts.flag) return parseTarget(opts.flag);
  const bao = BAO_HINTS.find((v) => opts.env[v] !== undefined);
  if (bao) return { server: "openbao", why: `${bao} is set (only OpenBao reads BAO_* variables)` };
  const plugin = opts.kmsPlugins?.[0];
  if (plugin) return { server: "openbao", why: `plugin "kms" "${plugin.name}" at ${plugin.where} (OpenBao 2.6+ KMS plugins)` };
  return { server: "vault", why: "default (no --target, no BAO_* variable, no OpenBao-only stanza)" };
}

export function targetLabel(t: Target): string {
  return `${t.server === "openbao" ? "OpenBao" : "HashiCorp Vault"}${t.version ? ` ${t.version}` : ""}`;
}
