// Report formats and where each goes: `--format` pairs with `--output` (`-` = stdout, at most one).
import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import type { RunReport } from "./report.js";
import { renderText } from "./text.js";
import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderSarif } from "./sarif.js";
import { renderGithub } from "./github.js";
import { useColor } from "../color.js";
import { UsageError } from "../exit-codes.js";

export const FORMATS = ["text", "json", "junit", "sarif", "github"] as const;
export type Format = (typeof FORMATS)[number];
/** Formats that are one document for a machine: on stdout they carry nothing else (gate and migrate lines go to stderr). */
export const DOCUMENT_FORMATS: readonly Format[] = ["junit", "sarif", "github"];

export interface Output { format: Format; path: string }

export function outputOptions(y: Argv): Argv<any> {
  return y
    .option("format", { alias: "f", type: "string", array: true, choices: FORMATS, describe: "Report format (repeatable; pairs with --output)" })
    .option("output", { alias: "o", type: "string", array: true, describe: "Write the matching --format to FILE (- = stdout)" })
    .option("fail-on", { choices: ["fail", "warn"] as const, default: "fail", describe: "Lowest status that makes the exit code 1" })
    .option("timeout", { type: "string", default: "15s", describe: "Budget for the whole run (e.g. 15s, 1m)" })
    .option("call-timeout", { type: "string", default: "3s", describe: "Deadline for each network call" })
    .option("verbose", { alias: "v", type: "boolean", default: false, describe: "Show details of passing checks too" })
    .option("quiet", { alias: "q", type: "boolean", default: false, describe: "No progress lines on stderr (the report and errors still print)" })
    .option("color", { type: "boolean", describe: "Colour output (--no-color to disable; NO_COLOR and FORCE_COLOR are honoured)" });
}

export function parseOutputs(formats: Format[] | undefined, outputs: string[] | undefined): Output[] {
  const fs: Format[] = formats && formats.length > 0 ? formats : ["text"];
  const os = outputs ?? [];
  if (os.length > fs.length) throw new UsageError(`${os.length} --output given for ${fs.length} --format: give one --format per --output`);
  const pairs = fs.map((format, i) => ({ format, path: os[i] ?? "-" }));
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

export function writeOutputs(report: RunReport, outputs: Output[], opts: { color?: boolean; verbose?: boolean; "fail-on"?: string }, env: NodeJS.ProcessEnv): void {
  for (const out of outputs) {
    const toStdout = out.path === "-";
    const color = toStdout && out.format === "text" && useColor(opts.color, process.stdout, env);
    const text = render(report, out.format, { color, verbose: Boolean(opts.verbose), failOn: opts["fail-on"] === "warn" ? "warn" : "fail" });
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
