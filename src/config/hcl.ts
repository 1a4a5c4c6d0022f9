// Wraps js-hcl-parser: a GopherJS build of HashiCorp's HCL v1 parser, the parser Vault itself uses
// (vault/command/server/config.go ParseConfig -> hcl.Parse). It accepts HCL and JSON and returns either
// a JSON string or an error *string* ("unable to parse JSON: At 3:2: ..."), so we turn the latter into a
// typed error with a line and column.
import { createRequire } from "node:module";

export class ConfigSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}${column ? `:${column}` : ""}` : ""}: ${reason}`);
    this.name = "ConfigSyntaxError";
  }
}

type HclModule = { parse(text: string): string };
let hcl: HclModule | undefined;

function loadHcl(): HclModule {
  // Loaded on first use: it is ~1.6 MB of JavaScript and a run without a config file never needs it.
  hcl ??= createRequire(import.meta.url)("js-hcl-parser") as HclModule;
  return hcl;
}

const ERROR_AT = /^(?:unable to parse JSON: )?At (\d+):(\d+): (.*)$/s;

/**
 * The parser quotes the text at the error (hcl v1 parser.go: "Unknown token: %s" prints the token's text, "key '%s'
 * expected start of object" the key's): an unquoted secret (`secret_key = AKIA...`) would be echoed. Line and
 * column stay; the text goes.
 */
function withoutEchoedText(reason: string): string {
  return reason
    .replace(/^Unknown token: \d+:\d+ ([A-Z_]+)\b[\s\S]*$/, "unknown token ($1; its text is not shown, it may be a secret): is a value missing its quotes?")
    .replace(/key '[\s\S]*' expected/, "key (not shown, it may be a secret) expected")
    .replace(/'[^'\n]{2,4096}'/g, "'…'");
}

/** Parses HCL v1 or JSON text the way Vault does; throws ConfigSyntaxError with file:line on bad input. */
export function parseHcl(text: string, file: string): Record<string, unknown> {
  if (text.includes("\u0000")) throw new ConfigSyntaxError(file, undefined, undefined, "file contains NUL bytes; is it a binary file?");
  let out: string;
  try {
    out = loadHcl().parse(text);
  } catch (err) {
    const reason = err instanceof RangeError
      ? "the file is too large or too deeply nested for the HCL parser (it ran out of stack)"
      : `parser failed: ${(err as Error).message ?? String(err)}`;
    throw new ConfigSyntaxError(file, undefined, undefined, reason);
  }
  const trimmed = out.trimStart();
  if (!trimmed.startsWith("{")) {
    const m = ERROR_AT.exec(out.trim());
    if (m) throw new ConfigSyntaxError(file, Number(m[1]), Number(m[2]), withoutEchoedText(m[3]!.trim()));
    const at = /^(?:unable to parse JSON: )?(\d+):(\d+): ([\s\S]*)$/.exec(out.trim());
    if (at) throw new ConfigSyntaxError(file, Number(at[1]), Number(at[2]), withoutEchoedText(at[3]!.trim()));
    throw new ConfigSyntaxError(file, undefined, undefined, withoutEchoedText(out.trim().replace(/^unable to parse JSON: /, "")));
  }
  try {
    const value = JSON.parse(out) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
    return value as Record<string, unknown>;
  } catch {
    throw new ConfigSyntaxError(file, undefined, undefined, "parser returned malformed output");
  }
}
