// `vault-kms-doctor migrate`: seal-migration preflight. The config's layout as Vault will judge it, the new
// seal checked fully, the old (disabled) seal checked in decrypt-only mode (it no longer needs Encrypt, but
// must still Decrypt the root key it wrapped), the live Vault when an address is given, then the operator
// steps for this direction and the way back.
import type { CommandModule } from "../cli/command.js";
import { readRunArgs, sealOptions } from "../cli/run-args.js";
import { DOCUMENT_FORMATS, outputOptions, writeOutputs } from "../report/outputs.js";
import { runChecks, type RunResult } from "../runner.js";
import { buildReport, exitCodeFor } from "../report/report.js";
import type { VaultConfig } from "../config/seal-config.js";
import { useColor } from "../color.js";
import { version } from "../version.js";
import { renderText } from "../report/text.js";
import { vaultOptions } from "../vault/target.js";
import { migrationPlan, renderPlanText } from "../vault/migration-plan.js";
import { mergeRuns } from "../gate/merge-runs.js";
import { storageForRun } from "../storage/stored-seal.js";

export const migrateCommand: CommandModule = {
  command: "migrate",
  describe: "Seal-migration preflight: Shamir -> auto-unseal, auto -> auto, auto -> Shamir; prints the steps and the rollback",
  builder: (y) =>
    vaultOptions(outputOptions(sealOptions(y)))
      .option("from", { type: "string", describe: "The seal Vault uses now: shamir (needed for Shamir -> auto when no --vault-addr), or the disabled seal's type" })
      .option("ha", { type: "boolean", describe: "HA cluster (raft/Consul): standbys first. Default: read from the config's storage" })
      .option("storage-path", { type: "string", describe: "Vault's storage folder (raft: holds vault.db; file backend: its path), read read-only: the old seal is checked against the key that wrapped the stored root key. Default: the config's storage stanza" })
      .example("$0 migrate -c /etc/vault.d", "Config with the old seal disabled = \"true\" and the new seal enabled")
      .example("$0 migrate -c vault.hcl --from shamir", "Shamir -> auto-unseal: the config has only the new seal")
      .example("$0 migrate -c vault.hcl --vault-addr https://vault-0:8200 --format json", "Plan and findings as JSON, with the live seal status"),
  async run(argv) {
    const { env, outputs, timeoutMs, callTimeoutMs, kmsContext, config, vault: target, target: server } = readRunArgs(argv);

    let liveType: string | undefined;
    if (!argv.from && target && config.seals.every((s) => !s.disabled)) {
      // Loaded here: node:http's module facade costs every other command's start (--help included).
      const { readSealStatus } = await import("../vault/status-client.js");
      liveType = await readSealStatus(target, { timeoutMs: callTimeoutMs }).then((s) => s.type, () => undefined);
    }
    const plan = migrationPlan(config, { from: argv.from, liveType, ha: argv.ha, vaultAddr: target?.addr });

    // Which checks run on the old (disabled) seal is each check's `oldSeal` rule (src/check.ts).
    // The stored root key's wrapping key is what the old seal must still decrypt (checks/migrate/old-seal-decrypt.ts);
    // storage that is there but unreadable is exit 2 naming the file, as for `check`.
    const storage = storageForRun(config.files, typeof argv["storage-path"] === "string" && argv["storage-path"] !== "" ? argv["storage-path"] : undefined, env);
    const options = { timeoutMs, callTimeoutMs, kmsContext, enterprise: Boolean(argv.enterprise), vault: target, target: server, migration: true, storage };
    const only = (c: VaultConfig, patterns: string[]) => runChecks({ config: c, env, options, only: patterns });
    const enabled = config.seals.filter((s) => !s.disabled);
    const disabled = config.seals.filter((s) => s.disabled);
    const startedAt = new Date();
    const runs: Promise<RunResult>[] = [
      // The layout, the per-seal lint and the live Vault, on the whole config.
      only(config, ["config.*", "migrate.layout", "vault.*"]),
    ];
    if (enabled.length > 0) runs.push(only({ ...config, seals: enabled }, [...new Set(enabled.map((s) => `${s.type}.*`))]));
    if (disabled.length > 0) runs.push(only({ ...config, seals: disabled }, [...new Set(disabled.map((s) => `${s.type}.*`)), "migrate.old-seal-decrypt"]));
    const [first, ...rest] = await Promise.all(runs);
    const run = rest.reduce(mergeRuns, first!);
    const report = buildReport(run, { version: version(), startedAt, configFiles: config.files, target: server });

    // Old and new seal on the same key: there is nothing to migrate, so no plan (and no rollback) is printed.
    const nothingToMigrate = report.targets.some((t) => t.checks.some((c) => c.findings.some((f) => f.code === "same-key")));
    const onStdout = outputs.find((o) => o.path === "-");
    if (onStdout?.format === "json") process.stdout.write(`${JSON.stringify({ migration: nothingToMigrate ? null : plan, ...(nothingToMigrate ? { nothingToMigrate: true } : {}), report }, null, 2)}\n`);
    else if (onStdout?.format === "text") {
      process.stdout.write(renderText(report, { color: useColor(argv.color, process.stdout, env), verbose: Boolean(argv.verbose) }));
      if (!nothingToMigrate) process.stdout.write(renderPlanText(plan));
    }
    writeOutputs(report, outputs.filter((o) => o.path !== "-" || DOCUMENT_FORMATS.includes(o.format)), argv, env);
    return exitCodeFor(report, argv["fail-on"]);
  },
};
