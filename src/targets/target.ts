// Which server the verdict speaks for: HashiCorp Vault or OpenBao (optionally a version, `openbao@2.6`). Given
// by --target, else detected, in this order: the running server at --vault-addr / BAO_ADDR / VAULT_ADDR
// (src/targets/live.ts), a `plugin "kms"` block in the config (an OpenBao 2.6+ stanza), BAO_* variables in the
// environment, else Vault. The choice and its reason are printed in every report; the hints that disagree with
// the choice are kept (`conflicts`) and reported by config.target as a warning.
import { UsageError } from "../exit-codes.js";
import { isTargetServer, TARGET_SERVERS, type TargetServer } from "./server-behaviour.js";

/** One piece of evidence about the target server. */
export interface TargetHint {
  source: "flag" | "live" | "config" | "env";
  server: TargetServer;
  version?: string;
  why: string;
}

export interface Target {
  server: TargetServer;
  /** "2.6" from `openbao@2.6`, or the running server's "2.6.2"; undefined when not known. */
  version?: string;
  /** Why this target: "--target openbao@2.6", "BAO_ADDR is set", "default". */
  why: string;
  /** Hints that point elsewhere (another server, or another version than --target's). */
  conflicts?: TargetHint[];
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

/** Whether version `a` (2.6, 2.6.2) is the same release line as `b`: equal on the parts both give. */
export function sameVersion(a: string, b: string): boolean {
  const pa = a.split(".");
  const pb = b.split(".");
  return pa.slice(0, Math.min(pa.length, pb.length)).every((p, i) => Number(p) === Number(pb[i]));
}

/** `2.7` <= version, compared part by part (2.10 is after 2.7). */
export function versionAtLeast(version: string, min: string): boolean {
  const v = version.split(".").map(Number);
  const m = min.split(".").map(Number);
  for (let i = 0; i < m.length; i++) {
    const a = v[i] ?? 0;
    if (a !== m[i]) return a > m[i]!;
  }
  return true;
}

export function detectTarget(opts: {
  flag?: string;
  env: NodeJS.ProcessEnv;
  kmsPlugins?: { name: string; where: string }[];
  /** What the running server said it is (src/targets/live.ts), when one was asked and answered. */
  live?: TargetHint;
}): Target {
  const hints: TargetHint[] = [];
  if (opts.live) hints.push(opts.live);
  const plugin = opts.kmsPlugins?.[0];
  if (plugin) hints.push({ source: "config", server: "openbao", why: `plugin "kms" "${plugin.name}" at ${plugin.where} (OpenBao 2.6+ KMS plugins)` });
  const bao = BAO_HINTS.find((v) => opts.env[v] !== undefined);
  if (bao) hints.push({ source: "env", server: "openbao", why: `${bao} is set (only OpenBao reads BAO_* variables)` });

  let chosen: Target;
  if (opts.flag) {
    chosen = parseTarget(opts.flag);
    // `--target openbao` against a running OpenBao 2.6.2: the version comes from the server.
    if (!chosen.version && opts.live?.server === chosen.server && opts.live.version) {
      chosen = { ...chosen, version: opts.live.version, why: `${chosen.why}; version ${opts.live.version} from ${opts.live.why}` };
    }
  } else if (hints[0]) {
    chosen = { server: hints[0].server, ...(hints[0].version ? { version: hints[0].version } : {}), why: hints[0].why };
  } else {
    return { server: "vault", why: "default (no --target, no running server asked, no BAO_* variable, no OpenBao-only stanza)" };
  }
  const conflicts = hints.filter((h) => h.server !== chosen.server || (h.version && chosen.version && !sameVersion(h.version, chosen.version)));
  return conflicts.length > 0 ? { ...chosen, conflicts } : chosen;
}

export function targetLabel(t: Target): string {
  return `${t.server === "openbao" ? "OpenBao" : "HashiCorp Vault"}${t.version ? ` ${t.version}` : ""}`;
}
