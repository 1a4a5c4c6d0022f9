// Argument parsing and dispatch. Every command returns its exit code; usage and config errors become one
// line on stderr and exit 2, never a stack trace.
import yargs, { type Argv } from "yargs";
import { EXIT_USAGE, UsageError } from "./exit-codes.js";
import { ConfigError, ConfigSyntaxError } from "./config/load.js";
import { redactText } from "./redact.js";
import { version } from "./version.js";
import type { CommandModule } from "./cli/command.js";
import { preflightInputFiles } from "./fs/input-files.js";
import { checkCommand } from "./commands/check.js";
import { listChecksCommand } from "./commands/list-checks.js";
import { explainCommand } from "./commands/explain.js";
import { policyCommand } from "./commands/policy.js";
import { gateCommand } from "./commands/gate.js";
import { migrateCommand } from "./commands/migrate.js";

const COMMANDS: CommandModule[] = [checkCommand, gateCommand, migrateCommand, explainCommand, policyCommand, listChecksCommand];

export async function main(args: string[]): Promise<number> {
  let chosen: { cmd: CommandModule; argv: Record<string, any> } | undefined;
  let usageFailure: string | undefined;
  const parser = yargs(normaliseStdoutDash(args))
    .scriptName("vault-kms-doctor")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .usage("$0 [command] [options]  —  will this Vault unseal, and if not, why and how to fix it")
    .version(version())
    .alias("V", "version")
    .help("help")
    .alias("h", "help")
    .strict()
    .fail((msg, err) => {
      // One line, whatever yargs wraps (its "Invalid values:" message spans three).
      usageFailure = (msg ?? err?.message ?? "invalid arguments").replace(/\s*\n\s*/g, " ");
    })
    .epilogue("Exit codes: 0 nothing at or above --fail-on, 1 findings at that level (an `error` = could not check counts as fail), 2 usage or unreadable config.\nDocs: https://github.com/vault-kms-doctor/vault-kms-doctor#readme");
  for (const cmd of COMMANDS) {
    // The handler only records the choice: yargs may still report a validation failure after calling it.
    parser.command(cmd.command, cmd.describe, cmd.builder, (argv) => {
      chosen = { cmd, argv: argv as Record<string, any> };
    });
  }
  try {
    await parser.parseAsync();
    if (usageFailure) throw new UsageError(usageFailure);
    if (!chosen) return 0;
    // Files the SDKs will read by themselves are vetted first (src/fs/input-files.ts); explain, policy and
    // list-checks hand nothing to an SDK.
    if (chosen.cmd !== explainCommand && chosen.cmd !== policyCommand && chosen.cmd !== listChecksCommand) preflightInputFiles(process.env, chosen.argv);
    return await chosen.cmd.run(chosen.argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vault-kms-doctor: ${redactText(err.message)}\nRun 'vault-kms-doctor --help' for usage.\n`);
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError || err instanceof ConfigSyntaxError) {
      process.stderr.write(`vault-kms-doctor: ${redactText(err.message)}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

/** yargs reads a lone "-" as a positional; `--output -` means stdout, so bind it to its flag first. */
function normaliseStdoutDash(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === "--output" || a === "-o") && args[i + 1] === "-") {
      out.push("--output=-");
      i++;
    } else out.push(a);
  }
  return out;
}
