// The one function between outside text (seal names and types, config paths, policy Sids and file names, log
// lines, cloud error messages) and a terminal or CI log. Control characters are shown escaped, never sent raw:
// C0 (NUL, BEL, BS, ESC that starts CSI/OSC sequences, CR that rewrites a line, LF that forges one), DEL, and C1
// (U+0080-U+009F: U+009B is a one-character CSI, U+009D an OSC on terminals that honour 8-bit controls).
// Used by every text renderer; JSON, NDJSON and JUnit have their own escaping and are not touched.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

function escapeChar(ch: string): string {
  switch (ch) {
    case "\n": return "\\n";
    case "\r": return "\\r";
    case "\t": return "\\t";
    case "\u001b": return "\\e";
  }
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One value on one line: every control character, newlines included, shown as an escape. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/**
 * A copy of a report (any JSON-like value) safe to render as text: every string escaped. Fix commands keep their
 * line breaks (a policy document or a here-document is several lines, each rendered indented under its fix).
 */
export function escapeForText<T>(value: T, path: string[] = []): T {
  if (typeof value === "string") {
    const inCommand = path.length >= 2 && path[path.length - 2] === "commands";
    return (inCommand ? value.replace(CONTROL_BUT_NEWLINE, escapeChar) : escapeControls(value)) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => escapeForText(v, [...path.slice(-2), String(i)])) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = escapeForText(v, [...path.slice(-2), k]);
    return out as T;
  }
  return value;
}

/**
 * JSON text that a terminal can show safely: JSON.stringify escapes C0 but leaves DEL and C1 (U+009B is a CSI)
 * raw. They can only occur inside strings, so escaping them keeps the document valid and equal.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The last step of every text output: a line that would start a GitHub Actions workflow command (`::set-output`,
 * `::add-mask`, `::stop-commands`, ...; the runner trims leading whitespace first) gets a zero-width space between
 * the colons, so it prints the same and commands nothing.
 */
export function neutraliseWorkflowCommands(text: string): string {
  return text.replace(/^(\s*(?:\u001b\[[0-9;]*m)*):(?=:)/gm, "$1:\u200b");
}
