// What check, gate and migrate read alike from their arguments: the seal (config files, flags or a fleet),
// the run's budget, the outputs and the running Vault; validated, and secrets registered before anything prints.
import type { Argv } from "yargs";
import { loadVaultConfig, sealFromFlags } from "../config/load.js";
import type { VaultConfig } from "../config/seal-config.js";
import { loadFleet } from "../config/fleet.js";
import { DEFAULT_CONCURRENCY } from "../runner.js";
import { registerSecret, registerSecretsFromEnv, isSecretSealSetting } from "../redact.js";
import { parseDuration } from "../duration.js";
import { UsageError } from "../exit-codes.js";
import { parseKeyValues } from "../key-values.js";
import { flagSetting, sealFlags } from "../seals/index.js";
import { parseOutputs, type Output } from "../report/outputs.js";
import { vaultTarget, type VaultTarget } from "../vault/target.js";
import { detectTarget, parseTarget, type Target } from "../targets/target.js";
import type { TargetServer } from "../targets/server-behaviour.js";

export function sealOptions(y: Argv): Argv<any> {
  let out = y
    .option("config", { alias: "c", type: "string", array: true, describe: "Vault server config file or directory (repeatable, as vault server -config)" })
    .option("seal", { type: "string", describe: "Check a seal described by flags instead of a config file (awskms, gcpckms, ...)" });
  // Each seal descriptor's flags (src/seals/): `--key-id`, `--region`, `--project`, ...
  for (const { flag, describe } of sealFlags()) out = out.option(flag, { type: "string", describe });
  return out
    .option("target", { type: "string", describe: "The server that will read this config: vault or openbao, optionally with a version (openbao@2.6). Default: detected (BAO_* variables, plugin \"kms\" blocks), else vault" })
    .option("kms-context", { type: "string", array: true, describe: "Also round-trip with this encryption context (k=v, repeatable). Vault itself sends none." })
    .option("enterprise", { type: "boolean", default: false, describe: "Vault Enterprise layout rules (seal HA: several enabled seals)" })
    .option("fleet", { type: "string", describe: "Check many seal targets from a JSON file: {\"targets\": [{\"name\", \"type\", \"settings\"}]}" })
    .option("concurrency", { type: "number", default: DEFAULT_CONCURRENCY, describe: "Seal targets checked at once (1-256)" })
    .conflicts("fleet", ["config", "seal"])
    .conflicts("config", "seal");
}

export function loadConfigFromArgs(argv: Record<string, any>, env: NodeJS.ProcessEnv, server?: TargetServer): VaultConfig {
  const configs = (argv.config as string[] | undefined)?.filter((c) => c !== "");
  if (argv.fleet) return loadFleet(String(argv.fleet), env);
  if (configs && configs.length > 0) return loadVaultConfig(configs, { env, server });
  if (argv.seal) {
    const type = String(argv.seal).toLowerCase();
    const settings: Record<string, string> = {};
    for (const { flag } of sealFlags()) {
      const setting = flagSetting(type, flag);
      if (setting && typeof argv[flag] === "string" && argv[flag] !== "") settings[setting] = argv[flag];
    }
    return sealFromFlags(type, settings, { env, server });
  }
  throw new UsageError("nothing to check: pass --config FILE|DIR (the Vault server config) or --seal TYPE with its settings, e.g. --seal awskms --key-id alias/vault-unseal --region us-east-1");
}

/** Secrets found in the config join the redaction list before anything can print them. */
export function registerConfigSecrets(config: VaultConfig, env: NodeJS.ProcessEnv): void {
  registerSecretsFromEnv(env);
  for (const seal of config.seals) {
    for (const [key, v] of Object.entries(seal.values)) {
      if (isSecretSealSetting(key)) registerSecret(v.value);
      if (v.indirection && key !== "credentials") registerSecret(v.value);
    }
  }
}

export interface RunArgs {
  env: NodeJS.ProcessEnv;
  outputs: Output[];
  timeoutMs: number;
  callTimeoutMs: number;
  kmsContext?: Record<string, string>;
  concurrency: number;
  config: VaultConfig;
  vault?: VaultTarget;
  target: Target;
}

export function readRunArgs(argv: Record<string, any>): RunArgs {
  const env = process.env;
  const vault = vaultTarget(argv, env);
  const outputs = parseOutputs(argv.format, argv.output);
  const timeoutMs = parseDuration("timeout", argv.timeout);
  const callTimeoutMs = Math.min(parseDuration("call-timeout", argv["call-timeout"]), timeoutMs);
  const kmsContext = parseKeyValues("kms-context", argv["kms-context"]);
  const concurrency = Number(argv.concurrency ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError("--concurrency must be a whole number from 1 to 256");
  const flag = typeof argv.target === "string" && argv.target !== "" ? argv.target : undefined;
  const early = flag ? parseTarget(flag) : detectTarget({ env });
  let config = loadConfigFromArgs(argv, env, early.server);
  // A `plugin "kms"` block is only found once the files are read; the environment overlay then follows OpenBao's rules.
  const target = detectTarget({ flag, env, kmsPlugins: config.kmsPlugins });
  if (target.server !== early.server && config.rebuild) config = { ...config, seals: config.rebuild(target.server) };
  registerConfigSecrets(config, env);
  return { env, outputs, timeoutMs, callTimeoutMs, kmsContext, concurrency, config, vault, target };
}
