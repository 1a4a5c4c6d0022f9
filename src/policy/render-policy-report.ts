// Text and JSON forms of a policy analysis. Text follows the doctor screen (src/report/text.ts): marks, details
// and fix commands only under problems, the verdict last.
import { Chalk, type ChalkInstance } from "chalk";
import type { Finding, Status } from "../model.js";
import { renderDetails } from "../report/finding-text.js";
import { MARK, paint } from "../report/text.js";
import { escapeForText, neutraliseWorkflowCommands } from "../report/terminal-text.js";
import type { ActionVerdict, PolicyAnalysis } from "./types.js";

export const POLICY_REPORT_SCHEMA_VERSION = 1;

export interface PolicyReportHeader {
  roleArn: string;
  keyArn: string;
  identityPolicies: string[];
  /** undefined: not given (the default key policy was assumed). */
  keyPolicy?: string;
  kmsContext?: Record<string, string>;
}

/** Vault can unseal as far as these policies go: all three actions allowed without a context. */
export function vaultAllowed(analysis: PolicyAnalysis): boolean {
  return analysis.perAction.every((v) => v.decision === "allowed");
}

export function renderPolicyJson(analysis: PolicyAnalysis, header: PolicyReportHeader): string {
  const report = {
    schemaVersion: POLICY_REPORT_SCHEMA_VERSION,
    roleArn: header.roleArn,
    keyArn: header.keyArn,
    vaultAllowed: vaultAllowed(analysis),
    findings: analysis.findings,
    perAction: analysis.perAction,
    corrected: { identityPolicy: analysis.correctedIdentityPolicy, keyPolicy: analysis.correctedKeyPolicy ?? null },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

const DECISION = { allowed: "allowed", implicitDeny: "implicit deny", explicitDeny: "explicit deny" } as const;

function actionLines(c: ChalkInstance, verdicts: ActionVerdict[], withContext: boolean): string[] {
  const width = Math.max(...verdicts.map((v) => v.action.length));
  return verdicts.map((v) => {
    const decision = withContext ? (v.decisionWithContext ?? v.decision) : v.decision;
    const status: Status = decision === "allowed" ? "pass" : "fail";
    let why = "";
    if (!withContext && decision !== "allowed" && v.denialReason) why = ` ${v.denialReason}`;
    if (withContext && v.action === "kms:DescribeKey") why = " (DescribeKey carries no encryption context)";
    return `  ${paint(c, status, `[${MARK[status]}]`)} ${v.action.padEnd(width)}  ${DECISION[decision]}${c.dim(why)}`;
  });
}

/** A corrected document appears under several findings: print its JSON once, then refer to it. */
function commandLines(c: ChalkInstance, commands: string[], shown: Set<string>): string[] {
  const out: string[] = [];
  for (const cmd of commands) {
    const heredoc = /^cat > (\S+) <<'EOF'\n/.exec(cmd);
    if (heredoc && shown.has(cmd)) {
      out.push(c.dim(`          # ${heredoc[1]}: as above`));
      continue;
    }
    shown.add(cmd);
    for (const line of cmd.split("\n")) out.push(line.startsWith("#") ? c.dim(`          ${line}`) : c.cyan(`          ${line}`));
  }
  return out;
}

function findingLines(c: ChalkInstance, f: Finding, shown: Set<string>): string[] {
  const out = [`  ${paint(c, f.status, MARK[f.status])} ${f.message} ${c.dim(`[${f.code}]`)}`];
  if (f.status === "pass") return out;
  for (const d of renderDetails(f)) out.push(c.dim(`      ${d}`));
  if (f.fix) {
    out.push(`    ${c.bold("Fix:")} ${f.fix.summary}`);
    out.push(...commandLines(c, f.fix.commands, shown));
    if (f.fix.docs) out.push(c.dim(`    Docs: ${f.fix.docs}`));
  }
  return out;
}

function verdictLine(c: ChalkInstance, analysis: PolicyAnalysis): string {
  const count = (s: Status) => analysis.findings.filter((f) => f.status === s).length;
  const warn = count("warn");
  const warnings = warn ? `, ${warn} warning${warn === 1 ? "" : "s"}` : "";
  if (vaultAllowed(analysis)) {
    return warn
      ? c.yellow.bold(`! Vault's awskms seal may use this key with these policies${warnings}.`)
      : c.green.bold("✓ Vault's awskms seal may use this key with these policies.");
  }
  const denied = analysis.perAction.filter((v) => v.decision !== "allowed").length;
  return c.red.bold(`✗ Vault cannot unseal with these policies: ${denied} of ${analysis.perAction.length} actions denied, ${count("fail")} failed${warnings}.`);
}

export function renderPolicyText(rawAnalysis: PolicyAnalysis, rawHeader: PolicyReportHeader, opts: { color: boolean }): string {
  const analysis = escapeForText(rawAnalysis);
  const header = escapeForText(rawHeader);
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const lines: string[] = [];
  lines.push(`${c.bold("vault-kms-doctor policy")} ${c.dim(`· role ${header.roleArn} · key ${header.keyArn}`)}`);
  const identity = header.identityPolicies.length ? header.identityPolicies.join(", ") : "none";
  lines.push(c.dim(`identity policies: ${identity} · key policy: ${header.keyPolicy ?? "not given (default assumed)"}`), "");
  lines.push(c.bold("Vault's requests (no encryption context, as the awskms seal sends them)"));
  lines.push(...actionLines(c, analysis.perAction, false));
  if (header.kmsContext) {
    const context = Object.entries(header.kmsContext).map(([k, v]) => `${k}=${v}`).join(",");
    lines.push(c.bold(`With --kms-context ${context} (Vault never sends it)`));
    lines.push(...actionLines(c, analysis.perAction, true));
  }
  lines.push("", c.bold("Findings"));
  const shown = new Set<string>();
  for (const f of analysis.findings) lines.push(...findingLines(c, f, shown));
  lines.push("", verdictLine(c, analysis));
  return neutraliseWorkflowCommands(`${lines.join("\n")}\n`);
}
