// HCL v1 as compiled for JavaScript returns values without positions, so this scanner finds where each
// seal block and each of its keys sits in the source text. It only needs to be right for well-formed files
// (the real parser has already accepted the text) and must stay linear in the input size.

export interface BlockLocation {
  /** "seal" or "kms" */
  kind: string;
  type: string;
  line: number;
  keys: Map<string, number>;
}

type Token = { t: "word" | "str" | "punct"; v: string; line: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") { line++; i++; continue; }
    if (c === " " || c === "\t" || c === "\r" || c === ",") { i++; continue; }
    if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      i += 2;
      while (i < n && !(text[i] === "*" && text[i + 1] === "/")) { if (text[i] === "\n") line++; i++; }
      i += 2;
      continue;
    }
    if (c === "<" && text[i + 1] === "<") {
      // heredoc: <<EOF ... EOF (or <<-EOF); skip to the terminator line
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 80));
      if (m) {
        const start = line;
        const end = text.indexOf(`\n`, i);
        let j = end === -1 ? n : end + 1;
        line++;
        while (j < n) {
          const eol = text.indexOf("\n", j);
          const l = text.slice(j, eol === -1 ? n : eol).trim();
          j = eol === -1 ? n : eol + 1;
          if (l === m[1]) break;
          line++;
        }
        tokens.push({ t: "str", v: "", line: start });
        i = j;
        line++;
        continue;
      }
    }
    if (c === '"') {
      const start = line;
      let j = i + 1;
      let v = "";
      while (j < n && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < n) { v += text[j + 1]; j += 2; continue; }
        if (text[j] === "\n") line++;
        v += text[j];
        j++;
      }
      tokens.push({ t: "str", v, line: start });
      i = j + 1;
      continue;
    }
    if ("{}[]=:".includes(c)) { tokens.push({ t: "punct", v: c, line }); i++; continue; }
    let j = i;
    while (j < n && !/[\s"{}[\]=:,#]/.test(text[j]!)) j++;
    if (j === i) j++;
    tokens.push({ t: "word", v: text.slice(i, j), line });
    i = j;
  }
  return tokens;
}

const isName = (tok: Token | undefined) => tok !== undefined && (tok.t === "word" || tok.t === "str");
const SEAL_KINDS = new Set(["seal", "kms"]);

/** Finds seal/kms blocks (HCL `seal "awskms" { ... }` and JSON `"seal": {"awskms": {...}}`) in source order. */
export function locateSealBlocks(text: string): BlockLocation[] {
  const tokens = tokenize(text);
  const blocks: BlockLocation[] = [];

  // Reads a body starting at tokens[i] === "{", records its top-level keys, returns the index after "}".
  const readBody = (i: number, block: BlockLocation | undefined): number => {
    let depth = 0;
    for (; i < tokens.length; i++) {
      const tok = tokens[i]!;
      if (tok.t === "punct" && (tok.v === "{" || tok.v === "[")) depth++;
      else if (tok.t === "punct" && (tok.v === "}" || tok.v === "]")) {
        depth--;
        if (depth === 0) return i + 1;
      } else if (block && depth === 1 && isName(tok)) {
        const next = tokens[i + 1];
        if (next?.t === "punct" && (next.v === "=" || next.v === ":") && !block.keys.has(tok.v)) {
          block.keys.set(tok.v, tok.line);
        }
      }
    }
    return i;
  };

  // JSON form: "seal": { "awskms": {...}, ... } or "seal": [ { "awskms": {...} } ] or "awskms": [ {...} ]
  const readJsonTyped = (i: number, kind: string): number => {
    const open = tokens[i];
    if (open?.t !== "punct") return i + 1;
    if (open.v === "[") {
      let j = i + 1;
      while (j < tokens.length && !(tokens[j]!.t === "punct" && tokens[j]!.v === "]")) {
        j = tokens[j]!.v === "{" ? readJsonTyped(j, kind) : j + 1;
      }
      return j + 1;
    }
    if (open.v !== "{") return i + 1;
    let j = i + 1;
    while (j < tokens.length && !(tokens[j]!.t === "punct" && tokens[j]!.v === "}")) {
      const name = tokens[j]!;
      if (isName(name) && tokens[j + 1]?.v === ":") {
        const bodyStart = j + 2;
        const first = tokens[bodyStart];
        if (first?.v === "{") {
          const block = { kind, type: name.v.toLowerCase(), line: name.line, keys: new Map<string, number>() };
          blocks.push(block);
          j = readBody(bodyStart, block);
        } else if (first?.v === "[") {
          let k = bodyStart + 1;
          while (k < tokens.length && tokens[k]!.v === "{") {
            const block = { kind, type: name.v.toLowerCase(), line: tokens[k]!.line, keys: new Map<string, number>() };
            blocks.push(block);
            k = readBody(k, block);
          }
          j = readBody(bodyStart, undefined);
        } else j = bodyStart + 1;
      } else j++;
    }
    return j + 1;
  };

  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.t === "punct" && (tok.v === "{" || tok.v === "[")) { depth++; continue; }
    if (tok.t === "punct" && (tok.v === "}" || tok.v === "]")) { depth--; continue; }
    if (!isName(tok) || !SEAL_KINDS.has(tok.v)) continue;
    const kind = tok.v;
    const next = tokens[i + 1];
    if (depth <= 1 && next?.t === "punct" && next.v === ":") {
      i = readJsonTyped(i + 2, kind) - 1;
      continue;
    }
    if (depth === 0 && isName(next) && tokens[i + 2]?.v === "{") {
      const block = { kind, type: next!.v.toLowerCase(), line: tok.line, keys: new Map<string, number>() };
      blocks.push(block);
      i = readBody(i + 2, block) - 1;
    } else if (depth === 0 && next?.v === "=" && tokens[i + 2]?.v === "{") {
      i = readJsonTyped(i + 2, kind) - 1; // seal = { awskms = {...} }
    }
  }
  return blocks;
}
