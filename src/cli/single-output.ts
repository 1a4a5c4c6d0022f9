// `--output FILE` for the commands that print one document (explain, policy, list-checks): the report goes to
// FILE instead of stdout (`-` = stdout); colour only ever on a terminal stdout.
import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import { UsageError } from "../exit-codes.js";

export function singleOutputOption(y: Argv): Argv<any> {
  return y.option("output", { alias: "o", type: "string", describe: "Write the report to FILE instead of stdout (- = stdout)" });
}

/** Where the report goes: undefined = stdout. */
export function outputPath(argv: Record<string, any>): string | undefined {
  const o = argv.output;
  if (Array.isArray(o)) throw new UsageError("--output: give it once");
  return typeof o === "string" && o !== "" && o !== "-" ? o : undefined;
}

export function writeDocument(text: string, path: string | undefined): void {
  const body = text.endsWith("\n") ? text : `${text}\n`;
  if (path === undefined) {
    process.stdout.write(body);
    return;
  }
  try {
    writeFileSync(path, body);
  } catch (err) {
    throw new UsageError(`--output ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
