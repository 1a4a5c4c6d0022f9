// Runs one or a few checks through the real runner on a config written inline, the way ESLint's RuleTester
// runs one rule on inline code.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckDefinition } from "../../src/check.js";
import { loadVaultConfig } from "../../src/config/load.js";
import type { VaultConfig } from "../../src/config/seal-config.js";
import { runTarget, type TargetResult } from "../../src/runner.js";

export function configFromText(text: string, env: NodeJS.ProcessEnv = {}, name = "vault.hcl"): VaultConfig {
  const dir = mkdtempSync(join(tmpdir(), "vkd-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadVaultConfig([file], { env });
}

export async function runCheck(def: CheckDefinition<any>, config: VaultConfig, opts: { env?: NodeJS.ProcessEnv; seal?: number; enterprise?: boolean } = {}): Promise<TargetResult> {
  const seal = def.scope === "seal" ? config.seals[opts.seal ?? 0] : undefined;
  return runTarget(
    { id: seal?.name ?? "config", kind: def.scope === "seal" ? "seal" : "config", label: seal?.name ?? "Configuration", seal },
    [def],
    { config, env: opts.env ?? {}, options: { timeoutMs: 5_000, callTimeoutMs: 1_000, enterprise: opts.enterprise ?? false } },
    new AbortController().signal,
    new Set(),
  );
}

export async function codesFor(def: CheckDefinition<any>, text: string, opts: { env?: NodeJS.ProcessEnv; seal?: number; enterprise?: boolean; name?: string } = {}): Promise<string[]> {
  const config = configFromText(text, opts.env ?? {}, opts.name);
  const result = await runCheck(def, config, opts);
  return result.checks[0]!.findings.map((f) => `${f.status}:${f.code}`);
}
