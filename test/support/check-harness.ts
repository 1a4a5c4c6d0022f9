// Runs one or a few checks through the real runner on a config written inline, the way ESLint's RuleTester
// runs one rule on inline code.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnyCheck } from "../../src/check.js";
import type { Target } from "../../src/targets/target.js";
import { loadVaultConfig } from "../../src/config/load.js";
import type { VaultConfig } from "../../src/config/seal-config.js";
import { runTarget, type TargetResult } from "../../src/runner.js";

export function configFromText(text: string, env: NodeJS.ProcessEnv = {}, name = "vault.hcl", server?: "vault" | "openbao"): VaultConfig {
  const dir = mkdtempSync(join(tmpdir(), "vkd-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadVaultConfig([file], { env, server });
}

export async function runCheck(def: AnyCheck, config: VaultConfig, opts: { env?: NodeJS.ProcessEnv; seal?: number; enterprise?: boolean } = {}): Promise<TargetResult> {
  const seal = def.scope === "seal" ? config.seals[opts.seal ?? 0] : undefined;
  return runTarget(
    { id: seal?.name ?? "config", kind: def.scope === "seal" ? "seal" : "config", label: seal?.name ?? "Configuration", seal },
    [def],
    { config, env: opts.env ?? {}, options: { timeoutMs: 5_000, callTimeoutMs: 1_000, enterprise: opts.enterprise ?? false } },
    new AbortController().signal,
    new Set(),
  );
}

export async function codesFor(def: AnyCheck, text: string, opts: { env?: NodeJS.ProcessEnv; seal?: number; enterprise?: boolean; name?: string } = {}): Promise<string[]> {
  const config = configFromText(text, opts.env ?? {}, opts.name);
  const result = await runCheck(def, config, opts);
  return result.checks[0]!.findings.map((f) => `${f.status}:${f.code}`);
}

/** Runs several checks on the first seal of a config through the real runner, as the CLI would. */
export async function runSealChecks(config: VaultConfig, defs: AnyCheck[], opts: { env: NodeJS.ProcessEnv; callTimeoutMs?: number; kmsContext?: Record<string, string>; target?: Target }): Promise<TargetResult> {
  const seal = config.seals[0]!;
  return runTarget(
    { id: seal.name, kind: "seal", label: seal.name, seal },
    defs,
    { config, env: opts.env, options: { timeoutMs: 20_000, callTimeoutMs: opts.callTimeoutMs ?? 2_000, enterprise: false, kmsContext: opts.kmsContext, target: opts.target } },
    new AbortController().signal,
    new Set(),
  );
}

/** `check id -> ["status:code", ...]` for a target's results. */
export function codesByCheck(result: TargetResult): Record<string, string[]> {
  const codes: Record<string, string[]> = {};
  for (const c of result.checks) codes[c.id] = c.findings.map((f) => `${f.status}:${f.code}`);
  return codes;
}

export function findingIn(result: TargetResult, checkId: string, code: string) {
  const f = result.checks.find((c) => c.id === checkId)?.findings.find((x) => x.code === code);
  if (!f) throw new Error(`no ${checkId}/${code} in ${JSON.stringify(codesByCheck(result))}`);
  return f;
}
