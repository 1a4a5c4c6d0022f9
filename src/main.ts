// Argument parsing and dispatch. Every command returns its exit code; usage and config errors become one
// line on stderr and exit 2, never a stack trace.
import yargs, { type Argv } from "yargs";
import { EXIT_USAGE, UsageError } from "./exit-codes.js";
import { ConfigError, ConfigSyntaxError } from "./config/load.js";
import { redactText } from "./redact.js";
import { docsUrl, version } from "./version.js";
import { envDefaults, nameEnvSource, withEnvArgs, type OptionTable } from "./cli/env-defaults.js";
import type { CommandModule } from "./cli/command.js";
import { preflightInputFiles } from "./fs/input-files.js";
import { checkCommand } from "./commands/check.js";
import { listChecksCommand } from "./commands/list-checks.js";
import { explainCommand } from "./commands/explain.js";
import { policyCommand } from "./commands/policy.js";
import { gateCommand } from "./commands/gate.js";
import { migrateCommand } from "./commands/migrate.js";

const COMMANDS: CommandModule[] = [checkCommand, gateCommand, migrateCommand, explainCommand, policyCommand, listChecksCommand];

/** The command the arguments name by its first word, if they name one. */
function namedCommand(args: string[]): CommandModule | undefined {
  const word = args.find((a) => !a.startsWith("-"));
  return COMMANDS.find((c) => [c.command].flat().some((spec) => spec.split(" ")[0] === word));
}

/** The command that will run: the named one, else the default one (`check`). */
function commandOf(args: string[]): CommandModule {
  return namedCommand(args) ?? checkCommand;
}

/** The chosen command's options as yargs knows them (names, aliases, types, choices), for the environment's defaults. */
function optionTable(cmd: CommandModule): OptionTable {
  // getOptions() is on every yargs instance (node_modules/yargs/build/lib/yargs-factory.js) but not in @types/yargs.
  const built = cmd.builder(yargs([])) as unknown as { getOptions(): Partial<OptionTable> };
  const o = built.getOptions();
  return { key: o.key ?? {}, alias: o.alias ?? {}, array: o.array ?? [], boolean: o.boolean ?? [], number: o.number ?? [], choices: o.choices ?? {} };
}

/** `completion bash|zsh`: yargs picks its script from $SHELL, so an explicit shell sets it first. */
function completionShell(args: string[]): void {
  if (args[0] !== "completion" || args[1] === undefined || args[1].startsWith("-")) return;
  if (args[1] !== "bash" && args[1] !== "zsh") throw new UsageError(`completion: unknown shell "${args[1]}" (bash or zsh)`);
  process.env.SHELL = `/bin/${args[1]}`;
  delete process.env.ZSH_NAME;
}

export async function main(args: string[]): Promise<number> {
  let chosen: { cmd: CommandModule; argv: Record<string, any> } | undefined;
  let usageFailure: string | undefined;
  let fromEnv = new Map<string, string>();
  try {
    completionShell(args);
    if (args[0] !== "completion" && !args.includes("--get-yargs-completions") && !args.some((a) => a === "--help" || a === "-h")) {
      const defaults = envDefaults(optionTable(commandOf(args)), args, process.env);
      fromEnv = defaults.from;
      args = withEnvArgs(args, defaults.args);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    throw err;
  }
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
    .epilogue(
      [
        "Environment: every option can be preset as VAULT_KMS_DOCTOR_<OPTION>, dashes as underscores (VAULT_KMS_DOCTOR_FORMAT=json, VAULT_KMS_DOCTOR_FAIL_ON=warn; lists comma-separated); a flag on the command line wins.",
        "Exit codes: 0 nothing at or above --fail-on, 1 findings at that level (an `error` = could not check counts as fail), 2 usage or unreadable config.",
        `Docs: ${docsUrl()}`,
      ].join("\n"),
    );
  const named = namedCommand(args);
  for (const cmd of COMMANDS) {
    // The handler only records the choice: yargs may still report a validation failure after calling it.
    // A named command's own --help ends with the docs too (yargs shows only the command's epilogue there); the
    // default command's builder also runs for the top-level --help, which has them already.
    parser.command(cmd.command, cmd.describe, (y) => (cmd === named ? cmd.builder(y).epilogue(`Docs: ${docsUrl()}`) : cmd.builder(y)), (argv) => {
      chosen = { cmd, argv: argv as Record<string, any> };
    });
  }
  // Listed after the commands; yargs answers `completion` itself (the script for $SHELL, set above for an explicit shell).
  parser.completion("completion", "Print a shell completion script: completion bash|zsh (default: $SHELL's). Install: vault-kms-doctor completion bash >> ~/.bashrc");
  try {
    await parser.parseAsync();
    if (usageFailure) throw new UsageError(usageFailure);
    if (!chosen) return 0;
    // Files the SDKs will read by themselves are vetted first (src/fs/input-files.ts); explain, policy and
    // list-checks hand nothing to an SDK.
    if (chosen.cmd !== explainCommand && chosen.cmd !== policyCommand && chosen.cmd !== listChecksCommand) preflightInputFiles(process.env, chosen.argv);
    return await chosen.cmd.run(chosen.argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(nameEnvSource(err.message, fromEnv));
    if (err instanceof ConfigError || err instanceof ConfigSyntaxError) {
      process.stderr.write(`vault-kms-doctor: ${redactText(err.message)}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

function usageError(message: string): number {
  process.stderr.write(`vault-kms-doctor: ${redactText(message)}\nRun 'vault-kms-doctor --help' for usage.\n`);
  return EXIT_USAGE;
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
