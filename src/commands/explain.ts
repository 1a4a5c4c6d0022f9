// `vault-kms-doctor explain`: from an error message or a whole Vault log to the cause and the fix.
// Text comes from the argument, --file, or stdin (streamed line by line, so a 1 GB log works).
import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import type { CommandModule } from "../cli/command.js";
import { UsageError, EXIT_FINDINGS, EXIT_OK } from "../exit-codes.js";
import { useColor } from "../color.js";
import { sealDescriptors } from "../seals/index.js";
import { registerSecretsFromEnv } from "../redact.js";
import { outputPath, singleOutputOption, writeDocument } from "../cli/single-output.js";

/** Seal types (src/seals/) and Vault itself. */
const providers = () => [...sealDescriptors().map((d) => d.type), "vault"];

export const explainCommand: CommandModule = {
  command: "explain [text..]",
  describe: "Explain an error message or a Vault log: cause, evidence and the command that fixes it",
  builder: (y) =>
    singleOutputOption(y).positional("text", { type: "string", array: true, describe: "The error text (omit to read --file or stdin)" })
      .option("file", { type: "string", describe: "Read a log file (streamed; any size)" })
      .option("provider", { choices: providers(), describe: "Prefer rules for this seal type when a message is ambiguous" })
      .option("format", { alias: "f", choices: ["text", "json"] as const, default: "text", describe: "Output format" })
      .option("color", { type: "boolean", describe: "Colour output (--no-color to disable)" })
      .example("$0 explain 'AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/vault/i-0abc is not authorized to perform: kms:Decrypt ...'", "Explain one error")
      .example("kubectl logs vault-0 | $0 explain", "Explain every known error in a pod's log")
      .example("$0 explain --file /var/log/vault.log --format json", "Machine-readable, best match first")
      .example("$0 explain --file /var/log/vault.log -f json -o causes.json", "Write the JSON to a file"),
  async run(argv) {
    // A secret of this environment quoted in a log line (AWS_SECRET_ACCESS_KEY, VAULT_TOKEN, ...) is redacted too.
    registerSecretsFromEnv(process.env);
    const words = (argv.text as string[] | undefined) ?? [];
    if (words.length > 0 && argv.file) throw new UsageError("give the error text or --file, not both");
    const path = outputPath(argv);
    let input: NodeJS.ReadableStream;
    if (words.length > 0) input = Readable.from([words.join(" ")]);
    else if (argv.file) {
      const file = String(argv.file);
      let st;
      try {
        st = statSync(file);
      } catch (err) {
        throw new UsageError(`--file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (st.isDirectory()) throw new UsageError(`--file ${file}: is a directory`);
      // A regular file, or a pipe (`--file <(kubectl logs ...)`, a named pipe): explain streams in flat memory, so
      // an endless pipe is as safe as stdin. A device (/dev/zero, /dev/urandom, a terminal) is never a log.
      if (!st.isFile() && !st.isFIFO() && !st.isSocket()) throw new UsageError(`--file ${file}: refusing to read a device; give a log file, a pipe or stdin`);
      input = createReadStream(file);
    } else if (process.stdin.isTTY) {
      throw new UsageError("nothing to explain: pass the error text, --file LOG, or pipe a log into stdin");
    } else input = process.stdin;
    // The rule table compiles many patterns: loaded only when explaining, not for --help.
    const { explainStream, renderExplainJson, renderExplainText } = await import("../troubleshoot/index.js");
    const report = await explainStream(input, { provider: argv.provider });
    const out = argv.format === "json"
      ? renderExplainJson(report)
      : renderExplainText(report, { color: path === undefined && useColor(argv.color as boolean | undefined, process.stdout, process.env) });
    writeDocument(out, path);
    return report.matches.length > 0 ? EXIT_OK : EXIT_FINDINGS;
  },
};
