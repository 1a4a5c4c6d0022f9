// `vault-kms-doctor [check]`: read the config as Vault would, run the checks, report.
import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import type { CommandModule } from "../main.js";
import { loadVaultConfig, sealFromFlags } from "../config/load.js";
import type { VaultConfig } from "../config/seal-config.js";
import { DEFAULT_CONCURRENCY, runChecks } from "../runner.js";
import { loadFleet } from "../config/fleet.js";
import { buildReport, exitCodeFor, type RunReport } from "../report/report.js";
import { renderText } from "../report/text.js";
import { renderJson } from "../report/json.js";
import { renderJunit } from "../report/junit.js";
import { renderSarif } from "../report/sarif.js";
import { renderGithub } from "../report/github.js";
import { registerSecret, registerSecretsFromEnv, SECRET_SEAL_KEYS } from "../redact.js";
import { parseDuration } from "../duration.js";
import { useColor } from "../color.js";
import { UsageError } from "../exit-codes.js";
import { version } from "../version.js";
import { parseKeyValues } from "../key-values.js";
import { envWithVaultFlags, vaultOptions, vaultTargetFromEnv } from "../vault/target.js";

export const FORMATS = ["text", "json", "junit", "sarif", "github"] as const;
export type Format = (typeof FORMATS)[number];
/** Formats that are one document for a machine: on stdout they carry nothing else (gate and migrate lines go to stderr). */
export const DOCUMENT_FORMATS: readonly Format[] = ["junit", "sarif", "github"];

export function sealOptions(y: Argv): Argv<any> {
  return y
    .option("config", { alias: "c", type: "string", array: true, describe: "Vault server config file or directory (repeatable, as vault server -config)" })
    .option("seal", { type: "string", describe: "Check a seal described by flags instead of a config file (awskms, gcpckms, ...)" })
    .option("key-id", { type: "string", describe: "awskms: kms_key_id (key id, key ARN, alias name or alias ARN)" })
    .option("region", { type: "string", describe: "awskms: region; gcpckms: KMS location" })
    .option("endpoint", { type: "string", describe: "awskms: endpoint (VPC endpoint URL)" })
    .option("project", { type: "string", describe: "gcpckms: project" })
    .option("key-ring", { type: "string", describe: "gcpckms: key_ring" })
    .option("crypto-key", { type: "string", describe: "gcpckms: crypto_key" })
    .option("kms-context", { type: "string", array: true, describe: "Also round-trip with this encryption context (k=v, repeatable). Vault itself sends none." })
    .option("enterprise", { type: "boolean", default: false, describe: "Vault Enterprise layout rules (seal HA: several enabled seals)" })
    .option("fleet", { type: "string", describe: "Check many seal targets from a JSON file: {\"targets\": [{\"name\", \"type\", \"settings\"}]}" })
    .option("concurrency", { type: "number", default: DEFAULT_CONCURRENCY, describe: "Seal targets checked at once" });
}

export function loadConfigFromArgs(argv: Record<string, any>, env: NodeJS.ProcessEnv): VaultConfig {
  const configs = (argv.config as string[] | undefined)?.filter((c) => c !== "");
  if (argv.fleet) {
    if ((configs && configs.length > 0) || argv.seal) throw new UsageError("--fleet cannot be combined with --config or --seal");
    return loadFleet(String(argv.fleet), env);
  }
  if (configs && configs.length > 0) {
    if (argv.seal) throw new UsageError("--config and --seal cannot be combined: describe the seal in the config file or with flags, not both");
    return loadVaultConfig(configs, { env });
  }
  if (argv.seal) {
    const settings: Record<string, string> = {};
    const map: Record<string, string> = { "key-id": "kms_key_id", region: "region", endpoint: "endpoint", project: "project", "key-ring": "key_ring", "crypto-key": "crypto_key" };
    for (const [flag, key] of Object.entries(map)) if (typeof argv[flag] === "string" && argv[flag] !== "") settings[key] = argv[flag];
    return sealFromFlags(String(argv.seal), settings, { env });
  }
  throw new UsageError("nothing to check: pass --config FILE|DIR (the Vault server config) or --seal TYPE with its settings, e.g. --seal awskms --key-id alias/vault-unseal --region us-east-1");
}

/** Secrets found in the config join the redaction list before anything can print them. */
export function registerConfigSecrets(config: VaultConfig, env: NodeJS.ProcessEnv): void {
  registerSecretsFromEnv(env);
  for (const seal of config.seals) {
    for (const [key, v] of Object.entries(seal.values)) {
      if (SECRET_SEAL_KEYS.has(key)) registerSecret(v.value);
      if (v.indirection && key !== "credentials") registerSecret(v.value);
    }
  }
}

interface Output { format: Format; path: string }

export function parseOutputs(formats: string[] | undefined, outputs: string[] | undefined): Output[] {
  const fs = formats && formats.length > 0 ? formats : ["text"];
  const os = outputs ?? [];
  if (os.length > fs.length) throw new UsageError(`${os.length} --output given for ${fs.length} --format: give one --format per --output`);
  const pairs = fs.map((f, i) => {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format ${f}: expected one of ${FORMATS.join(", ")}`);
    return { format: f as Format, path: os[i] ?? "-" };
  });
  if (pairs.filter((p) => p.path === "-").length > 1) throw new UsageError("only one --format can go to stdout: give the others an --output FILE");
  return pairs;
}

export function render(report: RunReport, format: Format, opts: { color: boolean; verbose: boolean; failOn?: "fail" | "warn" }): string {
  switch (format) {
    case "json": return renderJson(report);
    case "junit": return renderJunit(report, { failOn: opts.failOn });
    case "sarif": return renderSarif(report);
    case "github": return renderGithub(report);
    default: return renderText(report, opts);
  }
}

export function writeOutputs(report: RunReport, outputs: Output[], argv: Record<string, any>, env: NodeJS.ProcessEnv): void {
  for (const out of outputs) {
    const toStdout = out.path === "-";
    const color = toStdout && out.format === "text" && useColor(argv.color as boolean | undefined, process.stdout, env);
    const text = render(report, out.format, { color, verbose: Boolean(argv.verbose), failOn: argv["fail-on"] === "warn" ? "warn" : "fail" });
    if (toStdout) process.stdout.write(text);
    else {
      try {
        writeFileSync(out.path, text);
      } catch (err) {
        throw new UsageError(`--output ${out.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
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
}

/** What check, gate and migrate read alike from their arguments: validated, and secrets registered before anything prints. */
export function readRunArgs(argv: Record<string, any>): RunArgs {
  const env = envWithVaultFlags(argv, process.env);
  const outputs = parseOutputs(argv.format, argv.output);
  const timeoutMs = parseDuration("timeout", argv.timeout);
  const callTimeoutMs = Math.min(parseDuration("call-timeout", argv["call-timeout"]), timeoutMs);
  const kmsContext = parseKeyValues("kms-context", argv["kms-context"]);
  const concurrency = Number(argv.concurrency ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError("--concurrency must be a whole number from 1 to 256");
  const config = loadConfigFromArgs(argv, env);
  registerConfigSecrets(config, env);
  return { env, outputs, timeoutMs, callTimeoutMs, kmsContext, concurrency, config };
}

export function outputOptions(y: Argv): Argv<any> {
  return y
    .option("format", { alias: "f", type: "string", array: true, describe: "text | json | junit | sarif | github (repeatable; pairs with --output)" })
    .option("output", { alias: "o", type: "string", array: true, describe: "Write the matching --format to FILE (- = stdout)" })
    .option("fail-on", { choices: ["fail", "warn"] as const, default: "fail", describe: "Lowest status that makes the exit code 1" })
    .option("timeout", { type: "string", default: "15s", describe: "Budget for the whole run (e.g. 15s, 1m)" })
    .option("call-timeout", { type: "string", default: "3s", describe: "Deadline for each network call" })
    .option("verbose", { alias: "v", type: "boolean", default: false, describe: "Show details of passing checks too" })
    .option("color", { type: "boolean", describe: "Colour the text report even on a pipe (--no-color: never); without it NO_COLOR, FORCE_COLOR and TERM=dumb are honoured" });
}

/** Groups that have nothing to look at in this run: the live Vault without an address, migration checks without a disabled seal. */
function notApplicable(config: VaultConfig, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  if (!vaultTargetFromEnv(env)) out.push("vault.*");
  if (!config.seals.some((s) => s.disabled)) out.push("migrate.*");
  return out;
}

export const checkCommand: CommandModule = {
  command: ["check", "$0"],
  describe: "Check the seals in a Vault config (the default command)",
  builder: (y) =>
    vaultOptions(outputOptions(sealOptions(y)))
      .option("only", { type: "string", array: true, describe: "Run only these check ids or globs (awskms.*)" })
      .option("skip", { type: "string", array: true, describe: "Skip these check ids or globs" })
      .example("$0 --config /etc/vault.d", "Check every seal in Vault's config directory")
      .example("$0 --seal awskms --key-id alias/vault-unseal --region us-east-1", "Check a seal without a config file")
      .example("$0 -c vault.hcl --format text --format junit --output - --output doctor.xml", "Print text and write JUnit for CI")
      .example("$0 -c vault.hcl --kms-context App=vault-prod", "Also try the encryption context a guide told you to set")
      .example("$0 -c vault.hcl --format json | jq .verdict", "Machine-readable verdict"),
  async run(argv) {
    const { env, outputs, timeoutMs, callTimeoutMs, kmsContext, concurrency, config } = readRunArgs(argv);
    const startedAt = new Date();
    const progress = process.stderr.isTTY && !env.CI;
    let done = 0;
    const run = await runChecks({
      config,
      env,
      options: { timeoutMs, callTimeoutMs, kmsContext, enterprise: Boolean(argv.enterprise), concurrency },
      only: argv.only,
      skip: [...(argv.skip ?? []), ...notApplicable(config, env)],
      onProgress: progress ? (target, check) => { done++; process.stderr.write(`\r\x1b[K  checking… ${done} done (${target}: ${check.id})`); } : undefined,
    });
    if (progress) process.stderr.write("\r\x1b[K");
    const report = buildReport(run, { version: version(), startedAt, configFiles: config.files });
    writeOutputs(report, outputs, argv, env);
    return exitCodeFor(report, argv["fail-on"]);
  },
};
