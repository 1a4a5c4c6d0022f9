// JSON input files (--fleet, `policy`) parsed with errors an operator can act on: line and column, what was
// expected, and never a snippet of the text (a value next to the error may be a secret). Nesting is capped so
// that a hostile file cannot exhaust the stack of anything that walks the parsed value later.

/** Deeper than any fleet or policy document needs (an IAM condition block is 4 levels deep). */
const MAX_JSON_DEPTH = 64;

interface JsonProblem {
  offset: number;
  reason: string;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/** Finds the first syntax error (or over-deep nesting) in linear time, without recursion. */
export function findJsonProblem(text: string, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  let i = 0;
  const n = text.length;
  // Each frame: "{" or "[" and what comes next in it.
  const stack: { kind: "{" | "["; expect: "key-or-end" | "key" | "colon" | "value" | "value-or-end" | "comma-or-end" }[] = [];
  const skip = (): void => {
    while (i < n && WS.has(text[i]!)) i++;
  };
  const what = (): string => {
    if (i >= n) return "the end of the file";
    const code = text.charCodeAt(i);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? "a control character" : `'${text[i]}'`;
  };
  const readString = (): JsonProblem | undefined => {
    const start = i;
    i++;
    STRING_BODY.lastIndex = i;
    STRING_BODY.exec(text);
    i = STRING_BODY.lastIndex;
    if (text[i] === '"') {
      i++;
      return undefined;
    }
    if (i >= n) return { offset: start, reason: "unterminated string" };
    return { offset: i, reason: text[i] === "\\" ? "invalid escape in string" : "control character in string (escape it)" };
  };
  // Reads one scalar or opens a container; returns a problem or undefined.
  const readValue = (): JsonProblem | undefined => {
    skip();
    const c = text[i];
    if (c === "{" || c === "[") {
      if (stack.length >= maxDepth) return { offset: i, reason: `nested deeper than ${maxDepth} levels` };
      stack.push({ kind: c, expect: c === "{" ? "key-or-end" : "value-or-end" });
      i++;
      return undefined;
    }
    if (c === '"') return readString();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return undefined;
      }
    }
    NUMBER.lastIndex = i;
    if (c !== undefined && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return undefined;
    }
    return { offset: i, reason: `expected a value, found ${what()}` };
  };
  let p = readValue();
  if (p) return p;
  while (stack.length > 0) {
    skip();
    const top = stack[stack.length - 1]!;
    const c = text[i];
    if (top.expect === "key-or-end" || top.expect === "key") {
      if (c === "}" && top.expect === "key-or-end") {
        stack.pop();
        i++;
      } else if (c === '"') {
        if ((p = readString())) return p;
        top.expect = "colon";
      } else return { offset: i, reason: `expected a property name in double quotes${top.expect === "key-or-end" ? " or '}'" : ""}, found ${what()}` };
    } else if (top.expect === "colon") {
      if (c !== ":") return { offset: i, reason: `expected ':' after the property name, found ${what()}` };
      i++;
      top.expect = "comma-or-end";
      if ((p = readValue())) return p;
    } else if (top.expect === "value-or-end" && c === "]") {
      stack.pop();
      i++;
    } else if (top.expect === "value-or-end" || top.expect === "value") {
      top.expect = "comma-or-end";
      if ((p = readValue())) return p;
    } else {
      const close = top.kind === "{" ? "}" : "]";
      if (c === close) {
        stack.pop();
        i++;
      } else if (c === ",") {
        i++;
        top.expect = top.kind === "{" ? "key" : "value";
      } else return { offset: i, reason: `expected ',' or '${close}', found ${what()}` };
    }
  }
  skip();
  if (i < n) return { offset: i, reason: `unexpected ${what()} after the end of the document` };
  return undefined;
}

/** JSON.parse with a capped depth and an error naming line and column (never quoting the text). */
export function parseJsonStrict<E extends Error>(text: string, file: string, error: (message: string) => E): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problem = findJsonProblem(body);
  if (problem) {
    const { line, column } = lineColumn(body, problem.offset);
    throw error(`${file}:${line}:${column}: not valid JSON: ${problem.reason}`);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // The scanner above accepts exactly JSON; should the two ever disagree, still no snippet.
    throw error(`${file}: not valid JSON`);
  }
}
