// Reads a policy document from a file in any of the shapes users have at hand: a bare document, the output of
// `aws iam get-role-policy` ({"PolicyDocument": ...}), `aws iam get-policy-version` ({"PolicyVersion":{"Document":...}}),
// `aws kms get-key-policy` ({"Policy": "<json string>"}), or URL-encoded JSON as the IAM query API returns it
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html: "The policy document is URL-encoded").
import { FileRefusedError, readBoundedText } from "../fs/read-bounded.js";
import { findJsonProblem, lineColumn } from "../config/json-text.js";
import { basename, extname } from "node:path";
import type { NamedPolicy, PolicyDocument } from "../iam/types.js";

/** A file that cannot be used as a policy: one line, naming the file. */
export class PolicyFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "PolicyFileError";
  }
}

function parseJsonText(text: string): unknown {
  const trimmed = text.trim();
  // Checked before JSON.parse: the error names line and column and never quotes the text, and nesting is capped.
  const problem = findJsonProblem(trimmed);
  if (!problem) return JSON.parse(trimmed);
  if (/%[0-9A-Fa-f]{2}/.test(trimmed)) {
    try {
      const decoded = decodeURIComponent(trimmed.replace(/\+/g, "%20"));
      if (!findJsonProblem(decoded)) return JSON.parse(decoded);
    } catch {
      // fall through to the original error: it points at the text the user wrote
    }
  }
  const { line, column } = lineColumn(text, problem.offset + (text.length - text.trimStart().length));
  throw new Error(`line ${line}, column ${column}: ${problem.reason}`);
}

/** Unwraps the CLI output shapes; a string value is itself a (maybe URL-encoded) JSON document. */
function unwrap(value: unknown): { document: unknown; name?: string } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { document: value };
  const obj = value as Record<string, unknown>;
  // An inline policy's name says what it is; a key policy's name is always "default", which says nothing.
  const name = typeof obj.PolicyName === "string" && obj.PolicyDocument !== undefined ? obj.PolicyName : undefined;
  const inner =
    obj.PolicyDocument ??
    (obj.PolicyVersion && typeof obj.PolicyVersion === "object" ? (obj.PolicyVersion as Record<string, unknown>).Document : undefined) ??
    (typeof obj.Policy === "string" ? obj.Policy : undefined);
  if (inner === undefined) return { document: value };
  return { document: typeof inner === "string" ? parseJsonText(inner) : inner, name };
}

function validate(document: unknown): string | undefined {
  if (document === null || typeof document !== "object" || Array.isArray(document)) return "not a policy document (expected a JSON object with a Statement)";
  const statement = (document as Record<string, unknown>).Statement;
  if (statement === undefined) return 'not a policy document: no "Statement"';
  const list = Array.isArray(statement) ? statement : [statement];
  for (const [i, s] of list.entries()) {
    if (s === null || typeof s !== "object" || Array.isArray(s)) return `Statement ${i + 1} is not an object`;
    const effect = (s as Record<string, unknown>).Effect;
    if (effect !== "Allow" && effect !== "Deny") return `Statement ${i + 1}: Effect must be "Allow" or "Deny", got ${JSON.stringify(effect ?? null)}`;
  }
  return undefined;
}

/** Parses policy text; `file` names it in errors. The policy id is the inline policy's PolicyName, else the file's base name. */
export function parsePolicyText(text: string, file: string): NamedPolicy {
  let parsed: unknown;
  let unwrapped: { document: unknown; name?: string };
  try {
    parsed = parseJsonText(text);
    unwrapped = unwrap(parsed);
  } catch (err) {
    throw new PolicyFileError(file, `invalid JSON (${(err as Error).message})`);
  }
  const problem = validate(unwrapped.document);
  if (problem) throw new PolicyFileError(file, problem);
  const id = unwrapped.name ?? basename(file, extname(file));
  return { id, document: unwrapped.document as PolicyDocument };
}

export function readPolicyFile(file: string): NamedPolicy {
  let text: string;
  try {
    text = readBoundedText(file, "policy");
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PolicyFileError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, expected a JSON policy file" : `cannot read (${code ?? (err as Error).message})`);
  }
  return parsePolicyText(text, file);
}
