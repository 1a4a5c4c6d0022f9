// `vault-kms-doctor gate`: exit 0 as soon as the checks that decide whether Vault starts pass; with --wait,
// retry until they do or the wait expires. Made for an init container or ExecStartPre: one log line per
// attempt, the full report once, and a prompt exit (143/130) on SIGTERM/SIGINT.
import type { CommandModule } from "../cli/command.js";
import { readRunArgs, sealOptions } from "../cli/run-args.js";
import { withLiveTarget } from "../targets/live.js";
import { DOCUMENT_FORMATS, outputOptions, writeOutputs } from "../report/outputs.js";
import { runChecks, type RunRequest } from "../runner.js";
import { storageForRun } from "../storage/stored-seal.js";
import { buildReport } from "../report/report.js";
import { renderText } from "../report/text.js";
import { parseDuration } from "../duration.js";
import { EXIT_SIGINT, EXIT_SIGTERM } from "../exit-codes.js";
import { useColor } from "../color.js";
import { version } from "../version.js";
import { vaultOptions } from "../vault/target.js";
import { progressOnStderr } from "../cli/progress.js";
import { assertSomethingChecked, describeSelection, validateSelection } from "../cli/selection.js";
import { gateSelection } from "../gate/required.js";
import { runGate, type GateResult } from "../gate/gate-loop.js";
import { attemptJson, attemptText, resultJson, resultText } from "../gate/attempt-log.js";

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: EXIT_SIGTERM, SIGINT: EXIT_SIGINT };

export const gateCommand: CommandModule = {
  command: "gate",
  describe: "Wait until the seal will unseal (config, credentials, key state, round trip); for init containers and ExecStartPre",
  builder: (y) =>
    vaultOptions(outputOptions(sealOptions(y)))
      .option("wait", { type: "string", describe: "Keep retrying failing checks for up to this long (e.g. 5m); without it, one attempt" })
      .option("require", { type: "string", array: true, describe: "Check ids or globs the gate waits for, instead of the default set" })
      .option("skip", { type: "string", array: true, describe: "Never run these check ids or globs" })
      .option("storage-path", { type: "string", describe: "Vault's storage folder (raft: holds vault.db), read read-only for the key that wrapped the root key. Default: the config's storage stanza" })
      .option("decrypt-stored", { type: "boolean", default: false, describe: "Also ask KMS to Decrypt the stored root key's wrapped data key, as a restart does (awskms; the plaintext is wiped at once, never shown: see SECURITY.md)" })
      .option("allow-shamir", { type: "boolean", default: false, describe: "Let a config without an enabled auto-unseal seal pass (Vault will wait for Shamir unseal keys)" })
      .example("$0 gate --config /vault/config --wait 5m", "Init container: hold Vault's start until KMS and credentials work")
      .example("$0 gate -c /etc/vault.d --wait 2m --format json", "NDJSON: one object per attempt, then the result")
      .example("$0 gate -c vault.hcl --wait 1m --fail-on warn", "Also wait on advisory checks (rotation, deletion protection)"),
  async run(argv) {
    validateSelection("require", argv.require);
    validateSelection("skip", argv.skip);
    const { env, outputs, timeoutMs: attemptBudgetMs, callTimeoutMs, kmsContext, config, vault, target } = await withLiveTarget(readRunArgs(argv), argv);
    // Read once, before Vault starts (the init container's moment): unreadable storage is exit 2 naming the file.
    // Both servers' storage formats are read (src/storage/blob-info.ts).
    const storage = storageForRun(config.files, typeof argv["storage-path"] === "string" && argv["storage-path"] !== "" ? argv["storage-path"] : undefined, env);
    const waitMs = argv.wait === undefined ? 0 : parseDuration("wait", argv.wait);
    const failOn = argv["fail-on"] as "fail" | "warn";

    const onStdout = outputs.find((o) => o.path === "-");
    const files = outputs.filter((o) => o.path !== "-");
    const ndjson = onStdout?.format === "json";
    // Attempt lines go where people read: stdout for text and NDJSON, stderr when stdout carries JUnit or nothing.
    // stdout carries only the report: NDJSON attempts are part of it; text attempt lines are progress, on stderr
    // (silenced by --quiet), so a CI log still shows what the gate is waiting for.
    const lineOut = ndjson ? process.stdout : process.stderr;

    const stop = new AbortController();
    let signalName: string | undefined;
    const onSignal = (name: NodeJS.Signals) => {
      signalName = name;
      stop.abort();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);

    const startedAt = new Date();
    let result: GateResult;
    try {
      result = await runGate({
        waitMs,
        attemptBudgetMs,
        failOn,
        selection: gateSelection({ require: argv.require, failOn, vaultAddrFlag: typeof argv["vault-addr"] === "string" && argv["vault-addr"] !== "" }),
        signal: stop.signal,
        runAttempt: async (selection, budgetMs, signal) => {
          // `signal` lets the runner abort the attempt's calls at once (see the runner's RunRequest.signal).
          const request: RunRequest & { signal: AbortSignal } = {
            config, env, ...selection, skip: argv.skip, signal,
            options: { timeoutMs: budgetMs, callTimeoutMs: Math.min(callTimeoutMs, budgetMs), kmsContext, enterprise: Boolean(argv.enterprise), vault, target, requireAutoUnseal: !argv["allow-shamir"], storage, decryptStored: Boolean(argv["decrypt-stored"]) },
          };
          const progress = progressOnStderr({ quiet: Boolean(argv.quiet), env });
          const run = await runChecks({ ...request, ...progress.hooks }).finally(() => progress.stop());
          // A gate that checked nothing must not open.
          assertSomethingChecked(run, describeSelection(argv));
          return run;
        },
        toReport: (run) => buildReport(run, { version: version(), startedAt, configFiles: config.files, target }),
        onAttempt: (a) => {
          if (ndjson) lineOut.write(attemptJson(a));
          else if (!argv.quiet) lineOut.write(attemptText(a));
        },
      });
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    }

    const exitCode = result.outcome === "passed" ? 0 : result.outcome === "interrupted" ? SIGNAL_EXIT[signalName ?? "SIGTERM"]! : 1;
    if (onStdout?.format === "json") process.stdout.write(resultJson(result, exitCode, signalName));
    else if (onStdout?.format === "text") {
      if (result.report) process.stdout.write(renderText(result.report, { color: useColor(argv.color, process.stdout, env), verbose: Boolean(argv.verbose) }));
      process.stdout.write(resultText(result, signalName));
    } else process.stderr.write(resultText(result, signalName));
    if (result.report) writeOutputs(result.report, onStdout && DOCUMENT_FORMATS.includes(onStdout.format) ? outputs : files, argv, env);
    if (result.outcome === "interrupted") {
      // The verdict is out; an attempt still in flight must not hold the exit back (unref: this timer itself
      // keeps nothing alive).
      setTimeout(() => process.exit(exitCode), 1_000).unref();
    }
    return exitCode;
  },
};
