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

/**
 * The GopherJS parser is slow: about 1.5 MB/s on comments and 60-100 KB/s on dense settings (measured; 15 MB took
 * 17 s and 612 MB). Comments and blank lines mean nothing to Vault, so a large file reaches the parser without
 * them (a line map keeps error positions true), and what remains, the settings, is capped: real configs hold a
 * few KB of settings.
 */
const COMPACT_ABOVE = 64 * 1024;
const MAX_SETTINGS_BYTES = 256 * 1024;

interface Compacted {
  text: string;
  /** Original line number of each line of `text` (index 0 = line 1). */
  lines: number[];
}

const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/y;
const PLAIN = /[^\n"#/<]+/y;

/** Drops comments and blank lines in one linear pass; strings and heredocs are copied as they are. */
export function compactHcl(text: string): Compacted {
  const outLines: string[] = [];
  const lines: number[] = [];
  let cur = "";
  let line = 1;
  const n = text.length;
  const endLine = (): void => {
    if (cur.trim() !== "") {
      outLines.push(cur);
      lines.push(line);
    }
    cur = "";
    line++;
  };
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      endLine();
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" && text[j + 1] !== "\n" ? 2 : 1;
      if (text[j] === '"') j++;
      cur += text.slice(i, j);
      i = j;
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let nl = text.indexOf("\n", i); nl >= 0 && nl < stop; nl = text.indexOf("\n", nl + 1)) endLine();
      cur += " ";
      i = stop;
    } else if (c === "<" && text[i + 1] === "<" && ((HEREDOC.lastIndex = i), HEREDOC.test(text))) {
      const marker = text.slice(i, HEREDOC.lastIndex).replace(/^<<-?/, "").trim();
      cur += text.slice(i, HEREDOC.lastIndex - 1).replace(/\r$/, "");
      i = HEREDOC.lastIndex - 1;
      endLine();
      i++;
      // Heredoc lines are content: all kept, blank ones too, up to and including the marker line.
      while (i < n) {
        const nl = text.indexOf("\n", i);
        const body = text.slice(i, nl < 0 ? n : nl);
        outLines.push(body);
        lines.push(line);
        line++;
        i = nl < 0 ? n : nl + 1;
        if (body.trim() === marker) break;
      }
    } else {
      PLAIN.lastIndex = i;
      if (PLAIN.test(text)) {
        cur += text.slice(i, PLAIN.lastIndex);
        i = PLAIN.lastIndex;
      } else {
        cur += c;
        i++;
      }
    }
  }
  if (cur.trim() !== "") {
    outLines.push(cur);
    lines.push(line);
  }
  return { text: `${outLines.join("\n")}\n`, lines };
}

/** Parses HCL v1 or JSON text the way Vault does; throws ConfigSyntaxError with file:line on bad input. */
export function parseHcl(original: string, file: string): Record<string, unknown> {
  if (original.includes("\u0000")) throw new ConfigSyntaxError(file, undefined, undefined, "file contains NUL bytes; is it a binary file?");
  const isJson = /^\s*[{[]/.test(original);
  const compacted = !isJson && original.length > COMPACT_ABOVE ? compactHcl(original) : undefined;
  const text = compacted?.text ?? original;
  if (text.length > MAX_SETTINGS_BYTES) {
    throw new ConfigSyntaxError(file, undefined, undefined, `the file holds ${text.length} characters of settings${compacted ? " besides comments and blank lines" : ""}; the doctor reads at most ${MAX_SETTINGS_BYTES} (a Vault config holds a few KB)`);
  }
  const lineOf = (l: number): number => compacted?.lines[l - 1] ?? l;
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
    if (m) throw new ConfigSyntaxError(file, lineOf(Number(m[1])), Number(m[2]), withoutEchoedText(m[3]!.trim()));
    const at = /^(?:unable to parse JSON: )?(\d+):(\d+): ([\s\S]*)$/.exec(out.trim());
    if (at) throw new ConfigSyntaxError(file, lineOf(Number(at[1])), Number(at[2]), withoutEchoedText(at[3]!.trim()));
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
