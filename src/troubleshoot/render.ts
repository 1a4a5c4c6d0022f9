// Words for `explain`: a calm text screen (worst news and its fix first) and stable JSON.
import { Chalk } from "chalk";
import type { ExplainMatch, ExplainReport } from "./stream.js";
import { escapeForText, jsonTerminalSafe, neutraliseWorkflowCommands } from "../report/terminal-text.js";

function entityLine(entities: Record<string, string>): string | undefined {
  const pairs = Object.entries(entities).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? pairs.join("  ") : undefined;
}

function where(m: ExplainMatch): string {
  const times = m.firstTimestamp ? (m.firstTimestamp === m.lastTimestamp ? `, at ${m.firstTimestamp}` : `, ${m.firstTimestamp} → ${m.lastTimestamp}`) : "";
  return `${m.provider}, ${m.occurrences}× from line ${m.firstLine}${times}`;
}

export function renderExplainText(raw: ExplainReport, opts: { color: boolean }): string {
  // "Seen:" shows the first line of the sample; the rest would only be escaped newlines.
  const firstLines = { ...raw, matches: raw.matches.map((m) => ({ ...m, sample: m.sample.split("\n")[0]! })) };
  return neutraliseWorkflowCommands(renderExplainLines(escapeForText(firstLines), opts));
}

function renderExplainLines(report: ExplainReport, opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  if (report.matches.length === 0) {
    return [
      `No known KMS or unseal error recognised in ${report.linesRead} line(s).`,
      "Run the live checks (vault-kms-doctor against your Vault configuration) to test credentials, key and permissions directly.",
      "",
    ].join("\n");
  }
  const out: string[] = [`${report.matches.length} problem(s) recognised in ${report.linesRead} line(s):`, ""];
  report.matches.forEach((m, i) => {
    out.push(`${c.bold(`${i + 1}. ${m.title}`)}  ${c.red(`[${m.cause}]`)}`);
    out.push(`   ${c.dim(where(m))}`);
    out.push(`   ${m.explanation}`);
    const found = entityLine(m.entities);
    if (found) out.push(`   Found: ${found}`);
    if (m.fix) {
      out.push(`   ${c.green("Fix:")} ${m.fix.summary}`);
      for (const cmd of m.fix.commands) out.push(...cmd.split("\n").map((l, j) => `     ${j === 0 ? "$ " : "  "}${l}`));
      if (m.fix.docs) out.push(`   Docs: ${m.fix.docs}`);
    }
    if (m.distinguishing) out.push(`   How to tell: ${m.distinguishing}`);
    for (const alt of m.alternatives ?? []) out.push(`   Also possible: ${alt.title} [${alt.cause}]${alt.distinguishing ? ` - ${alt.distinguishing}` : ""}`);
    out.push(`   Seen: ${m.sample.split("\n")[0].slice(0, 300)}`);
    out.push("");
  });
  return out.join("\n");
}

export function renderExplainJson(report: ExplainReport): string {
  const matches = report.matches.map((m) => ({
    cause: m.cause,
    provider: m.provider,
    title: m.title,
    explanation: m.explanation,
    entities: m.entities,
    fix: m.fix,
    occurrences: m.occurrences,
    firstLine: m.firstLine,
    firstTimestamp: m.firstTimestamp,
    lastTimestamp: m.lastTimestamp,
    ruleId: m.ruleId,
    confidence: m.confidence,
    distinguishing: m.distinguishing,
    alternatives: m.alternatives,
    sample: m.sample,
  }));
  return jsonTerminalSafe(JSON.stringify({ schemaVersion: report.schemaVersion, linesRead: report.linesRead, bytesRead: report.bytesRead, matches }, null, 2)) + "\n";
}
