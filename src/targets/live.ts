// Which server answers at --vault-addr (or BAO_ADDR / VAULT_ADDR): read from its unauthenticated
// GET /v1/sys/seal-status, the same call vault.status makes (no token is sent, one deadline).
//
// What tells them apart, from the sources:
// - OpenBao 2.6+ answers `commit_date` and no `build_date` (openbao v2.6.2 vault/logical_system.go
//   CoreSealStatusResponse; api/sys_seal.go: "build_date ... remains for backwards-compatibility with OpenBao < v2.6.0",
//   the server no longer sends it). HashiCorp Vault sends `build_date` (api-docs/system/seal-status, 1.11 onwards).
// - HashiCorp Vault 1.19+ (and 2.x) also sends `removed_from_cluster`; no OpenBao release has that field
//   (`git grep removed_from_cluster v2.6.2` in openbao/openbao finds nothing).
// - Vault Enterprise versions carry metadata: "1.19.3+ent", "+ent.hsm", "+prem".
// - OpenBao numbers its releases from 2.0.0 (its first tag, v2.0.0); HashiCorp Vault was 1.x until its 2.0, so
//   the version number alone does not decide: a 2.x without either field is read as OpenBao 2.0-2.5, and says so.
import type { VaultTarget } from "../vault/target.js";
import { getVaultJson } from "../vault/status-client.js";
import { registerConfigSecrets, type RunArgs } from "../cli/run-args.js";
import { detectTarget, type TargetHint } from "./target.js";

type LiveArgs = Pick<RunArgs, "vault" | "callTimeoutMs" | "env" | "config" | "target">;

/** The server named by a seal-status body, or undefined when the body says too little. */
export function serverFromSealStatus(body: Record<string, unknown>, addr: string): TargetHint | undefined {
  const version = typeof body.version === "string" ? body.version : undefined;
  const plain = version?.split("+")[0]?.replace(/^v/, "");
  const at = `the server at ${addr}`;
  if ("commit_date" in body) {
    return { source: "live", server: "openbao", version: plain, why: `${at} is OpenBao ${version ?? "2.6+"} (its seal-status has commit_date, which only OpenBao 2.6+ sends)` };
  }
  if (version && /\+(ent|prem|pro)/.test(version)) {
    return { source: "live", server: "vault", version: plain, why: `${at} is Vault Enterprise ${version} (seal-status version)` };
  }
  if ("removed_from_cluster" in body) {
    return { source: "live", server: "vault", version: plain, why: `${at} is HashiCorp Vault ${version ?? ""} (its seal-status has removed_from_cluster, which OpenBao does not send)`.replace("  ", " ") };
  }
  const major = plain ? Number(plain.split(".")[0]) : Number.NaN;
  if (major === 2) {
    return { source: "live", server: "openbao", version: plain, why: `${at} reports version ${version} without commit_date or removed_from_cluster: OpenBao 2.0-2.5` };
  }
  if (major === 0 || major === 1) {
    return { source: "live", server: "vault", version: plain, why: `${at} reports version ${version}: HashiCorp Vault (OpenBao starts at 2.0)` };
  }
  return undefined;
}

/** Asks the server once; a server that does not answer (not started yet: the gate's init container) gives no hint. */
export async function probeServer(target: VaultTarget, timeoutMs: number): Promise<TargetHint | undefined> {
  try {
    const { statusCode, body } = await getVaultJson(target, "/v1/sys/seal-status", { timeoutMs });
    if (statusCode !== 200 || body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
    return serverFromSealStatus(body as Record<string, unknown>, target.addr);
  } catch {
    return undefined;
  }
}

/** The run's arguments with the running server's word on the target (explicit --target still wins). */
export async function withLiveTarget<A extends LiveArgs>(args: A, argv: Record<string, unknown>): Promise<A> {
  if (!args.vault) return args;
  const live = await probeServer(args.vault, args.callTimeoutMs);
  if (!live) return args;
  const flag = typeof argv.target === "string" && argv.target !== "" ? argv.target : undefined;
  const target = detectTarget({ flag, env: args.env, kmsPlugins: args.config.kmsPlugins, live });
  let config = args.config;
  // The environment overlay follows the target's rules (src/seals/*.ts envFor): rebuild for the server found.
  if (target.server !== args.target.server && config.rebuild) {
    config = { ...config, seals: config.rebuild(target.server) };
    registerConfigSecrets(config, args.env);
  }
  return { ...args, config, target };
}
