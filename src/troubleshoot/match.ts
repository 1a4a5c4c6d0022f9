// Runs the table against text or a live SDK error and ranks what matches, most specific first.
import type { Fix } from "../model.js";
import type { CauseId } from "./causes.js";
import { extractEntities } from "./entities.js";
import { redactText } from "../redact.js";
import type { Entities, TroubleshootRule } from "./rule.js";
import { RULES } from "./rules/index.js";
import { sealDescriptors } from "../seals/index.js";

export interface Diagnosis {
  cause: CauseId;
  ruleId: string;
  provider: string;
  title: string;
  explanation: string;
  entities: Record<string, string>;
  fix?: Fix;
  distinguishing?: string;
  confidence: number;
}

/** Longest text looked at for one message; longer input keeps its head and tail (errors sit at either end). */
const MAX_TEXT = 256 * 1024;

interface PreparedText {
  /** Line breaks and escaped \n \t folded to spaces: "caused by:" chains and wrapped lines read as one. */
  joined: string;
  /** Line breaks (and the indentation after them) removed: heals words and ARNs cut by terminal wrapping. */
  glued: string | undefined;
}

export function prepareText(raw: string): PreparedText {
  let text = raw.length > MAX_TEXT ? raw.slice(0, MAX_TEXT / 2) + "\n" + raw.slice(-MAX_TEXT / 2) : raw;
  text = redactText(text);
  // Escaped forms from JSON log lines (Vault -log-format=json, kubectl output of JSON bodies).
  text = text.replace(/\\r\\n|\\n|\\t/g, "\n").replace(/\\"/g, '"');
  const joined = text.replace(/\s+/g, " ").trim();
  const glued = text.includes("\n") ? text.replace(/\r?\n[ \t]*/g, "").replace(/\s+/g, " ").trim() : undefined;
  return { joined, glued };
}

function anyMatch(patterns: readonly RegExp[], t: PreparedText): boolean {
  return patterns.some((p) => p.test(t.joined) || (t.glued !== undefined && p.test(t.glued)));
}

function providerFor(rule: TroubleshootRule, text: string, wanted?: string): string {
  if (wanted && (rule.providers.includes(wanted) || rule.providers.includes("*") || rule.providers.includes("vault"))) return wanted;
  if (!rule.providers.includes("*") && rule.providers.length > 0) return rule.providers[0];
  // Each seal descriptor's words (src/seals/): amazonaws, cloudkms, AADSTS, CKR_…
  return sealDescriptors().find((d) => d.providerHint?.test(text))?.type ?? "generic";
}

function entitiesFor(rule: TroubleshootRule, t: PreparedText): Entities {
  const out = extractEntities(t.joined);
  if (t.glued !== undefined) {
    for (const [k, v] of Object.entries(extractEntities(t.glued))) if (!(k in out)) out[k] = v;
  }
  return rule.entities ? { ...out, ...rule.entities(t.joined) } : out;
}

function buildDiagnosis(rule: TroubleshootRule, score: number, t: PreparedText, wanted?: string): Diagnosis {
  const entities = entitiesFor(rule, t);
  const d: Diagnosis = {
    cause: rule.cause,
    ruleId: rule.id,
    provider: providerFor(rule, t.joined, wanted),
    title: rule.title,
    explanation: rule.explanation,
    entities,
    fix: pasteSafe(rule.fix(entities)),
    confidence: Math.max(0, Math.min(1, Math.round(score) / 100)),
  };
  if (rule.distinguishing) d.distinguishing = rule.distinguishing;
  return d;
}

function providerAdjust(rule: TroubleshootRule, wanted?: string): number {
  if (!wanted || rule.providers.includes("*") || rule.providers.includes("vault")) return 0;
  return rule.providers.includes(wanted) ? 5 : -25;
}

function boostOf(rule: TroubleshootRule, t: PreparedText): number {
  return (rule.boosts ?? []).reduce((sum, b) => sum + (b.when.test(t.joined) ? b.by : 0), 0);
}

interface Scored {
  rule: TroubleshootRule;
  score: number;
}

/** Best rule per cause, best first; fallback-only rules only when nothing else matched. */
function rank(scored: Scored[]): Scored[] {
  const hasSpecific = scored.some((s) => !s.rule.fallbackOnly);
  const bestPerCause = new Map<CauseId, Scored>();
  for (const s of scored) {
    if (s.rule.fallbackOnly && hasSpecific) continue;
    const prev = bestPerCause.get(s.rule.cause);
    if (!prev || s.score > prev.score) bestPerCause.set(s.rule.cause, s);
  }
  return [...bestPerCause.values()].sort((a, b) => b.score - a.score);
}

/** All plausible causes for pasted text, best first; [] when nothing is recognised. */
export function explainText(text: string, opts: { provider?: string } = {}): Diagnosis[] {
  const t = prepareText(text);
  if (t.joined.length === 0) return [];
  const scored: Scored[] = [];
  for (const rule of RULES) {
    if (!anyMatch(rule.patterns, t)) continue;
    if (rule.unless && anyMatch(rule.unless, t)) continue;
    scored.push({ rule, score: rule.score + boostOf(rule, t) + providerAdjust(rule, opts.provider) });
  }
  return rank(scored).map((s) => buildDiagnosis(s.rule, s.score, t, opts.provider));
}

// ---- live SDK errors ---------------------------------------------------------------------------

/** gRPC status code numbers to names (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const GRPC_NAMES = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
  "DATA_LOSS", "UNAUTHENTICATED",
];

interface ErrorFacts {
  names: string[];
  grpcCode?: number;
  text: string;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Reads name/code/message from AWS SDK v3, google-gax, Azure, Node system and plain errors. */
function factsOf(err: unknown): ErrorFacts {
  if (typeof err === "string") return { names: [], text: err };
  if (typeof err !== "object" || err === null) return { names: [], text: String(err ?? "") };
  const o = err as Record<string, unknown>;
  const names = new Set<string>();
  for (const v of [o.name, o.Code, o.__type, (o.error as Record<string, unknown> | undefined)?.code]) {
    const s = str(v);
    if (s && s !== "Error") names.add(s.includes("#") ? s.slice(s.lastIndexOf("#") + 1) : s);
  }
  const code = o.code;
  let grpcCode: number | undefined;
  if (typeof code === "number" && Number.isInteger(code) && code >= 0 && code < GRPC_NAMES.length) {
    grpcCode = code;
    names.add(GRPC_NAMES[code]);
  } else if (str(code)) {
    names.add(code as string);
  }
  const parts = [...names, str(o.message), str(o.details), str(o.reason), str((o.error as Record<string, unknown> | undefined)?.message)];
  const cause = o.cause as Record<string, unknown> | undefined;
  if (cause && typeof cause === "object") parts.push(str(cause.name), str(cause.code), str(cause.message));
  return { names: [...names], grpcCode, text: parts.filter(Boolean).join(": ") };
}

/** Classifies a live SDK error: error name/code first, message text second. Never throws. */
export function classifyError(err: unknown, provider: string): Diagnosis {
  try {
    const facts = factsOf(err);
    const t = prepareText(facts.text);
    const scored: Scored[] = [];
    for (const rule of RULES) {
      const byName = facts.names.some((n) => rule.errorNames?.includes(n));
      const byCode = facts.grpcCode !== undefined && (rule.grpcCodes?.includes(facts.grpcCode) ?? false);
      const byText = anyMatch(rule.patterns, t) && !(rule.unless && anyMatch(rule.unless, t));
      if (!byName && !byCode && !byText) continue;
      if (!byText && rule.unless && anyMatch(rule.unless, t)) continue;
      const score = (byText ? rule.score : rule.score * 0.6) + (byName ? 20 : 0) + (byCode ? 10 : 0) + boostOf(rule, t) + providerAdjust(rule, provider);
      scored.push({ rule, score });
    }
    const best = rank(scored)[0];
    if (best) return buildDiagnosis(best.rule, Math.min(best.score, 100), t, provider);
    return unknownDiagnosis(provider, t);
  } catch {
    return unknownDiagnosis(provider, { joined: "", glued: undefined });
  }
}

function unknownDiagnosis(provider: string, t: PreparedText): Diagnosis {
  let entities: Entities = {};
  try {
    entities = extractEntities(t.joined);
  } catch {
    entities = {};
  }
  return {
    cause: "unknown",
    ruleId: "unknown",
    provider,
    title: "Unrecognised error",
    explanation: "This error is not in the troubleshooting table. Run the live checks for a precise diagnosis.",
    entities,
    confidence: 0,
  };
}

/**
 * A rule's fix as paste-safe shell: a value the text did not give stays a named unknown, as a quoted shell
 * variable ("$REGION") that the operator sets first (a listed `# set …` line says which), never `<REGION>`, which
 * bash reads as a redirection. Values found in the text are quoted by valueOr (src/troubleshoot/rule.ts).
 */
export function pasteSafe(fix: Fix): Fix {
  const unknown = new Set<string>();
  const commands = fix.commands.map((c) => c.split("\n").map((line) => (line.trimStart().startsWith("#") ? line : line.replace(/<([A-Z][A-Z0-9_]*)>/g, (_, name: string) => { unknown.add(name); return `"$${name}"`; }))).join("\n"));
  if (unknown.size === 0) return fix;
  return { ...fix, summary: `${fix.summary} Not in the error text, set first: ${[...unknown].join(", ")}.`, commands };
}
