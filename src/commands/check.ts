// `vault-kms-doctor [check]`: read the config as Vault would, run the checks, report.
import type { CommandModule } from "../cli/command.js";
import { readRunArgs, sealOptions } from "../cli/run-args.js";
import { withLiveTarget } from "../targets/live.js";
import { runChecks } from "../runner.js";
import { storageForRun } from "../storage/stored-seal.js";
import { buildReport, exitCodeFor } from "../report/report.js";
import { outputOptions, writeOutputs } from "../report/outputs.js";
import { version } from "../version.js";
import { vaultOptions } from "../vault/target.js";
import { progressOnStderr } from "../cli/progress.js";
import { assertSomethingChecked, describeSelection, validateSelection } from "../cli/selection.js";

export const checkCommand: CommandModule = {
  command: ["check", "$0"],
  describe: "Check the seals in a Vault config (the default command)",
  builder: (y) =>
    vaultOptions(outputOptions(sealOptions(y)))
      .option("only", { type: "string", array: true, describe: "Run only these check ids or globs (awskms.*)" })
      .option("skip", { type: "string", array: true, describe: "Skip these check ids or globs" })
      .option("storage-path", { type: "string", describe: "Vault's storage folder (raft: holds vault.db; file backend: its path), read read-only for the key that wrapped the root key. Default: the config's storage stanza" })
      .option("decrypt-stored", { type: "boolean", default: false, describe: "Also ask KMS to Decrypt the stored root key's wrapped data key, as a restart does (awskms; the plaintext is wiped at once, never shown: see SECURITY.md)" })
      .example("$0 --config /etc/vault.d", "Check every seal in Vault's config directory")
      .example("$0 --seal awskms --key-id alias/vault-unseal --region us-east-1", "Check a seal without a config file")
      .example("$0 -c vault.hcl --format text --format junit --output - --output doctor.xml", "Print text and write JUnit for CI")
      .example("$0 -c vault.hcl --kms-context App=vault-prod", "Also try the encryption context a guide told you to set")
      .example("$0 -c vault.hcl --format json | jq .verdict", "Machine-readable verdict"),
  async run(argv) {
    validateSelection("only", argv.only);
    validateSelection("skip", argv.skip);
    const { env, outputs, timeoutMs, callTimeoutMs, kmsContext, concurrency, config, vault, target } = await withLiveTarget(readRunArgs(argv), argv);
    // Read before any check runs: storage that is there but unreadable is exit 2 naming the file (src/storage/).
    // Both servers' storage formats are read (src/storage/blob-info.ts).
    const storage = storageForRun(config.files, typeof argv["storage-path"] === "string" && argv["storage-path"] !== "" ? argv["storage-path"] : undefined, env);
    const startedAt = new Date();
    const progress = progressOnStderr({ quiet: Boolean(argv.quiet), env });
    const run = await runChecks({
      config,
      env,
      options: { timeoutMs, callTimeoutMs, kmsContext, enterprise: Boolean(argv.enterprise), concurrency, vault, target, storage, decryptStored: Boolean(argv["decrypt-stored"]) },
      only: argv.only,
      skip: argv.skip,
      ...progress.hooks,
    }).finally(() => progress.stop());
    assertSomethingChecked(run, describeSelection(argv));
    const report = buildReport(run, { version: version(), startedAt, configFiles: config.files, target });
    writeOutputs(report, outputs, argv, env);
    return exitCodeFor(report, argv["fail-on"]);
  },
};
