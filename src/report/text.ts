// The doctor screen (after flutter doctor): one line per check with a mark, grouped by target, details and
// fix commands only under problems unless verbose, and the verdict last, where the eye lands.
import { Chalk, type ChalkInstance } from "chalk";
import type { Finding, Status } from "../model.js";
import type { CheckResult, TargetResult } from "../runner.js";
import type { RunReport } from "./report.js";
import { renderDetails } from "./finding-text.js";
import { targetLabel } from "../targets/target.js";
import { escapeForText, neutraliseWorkflowCommands } from "./terminal-text.js";

export interface TextOptions { color: boolean; verbose: boolean }

export const MARK: Record<Status, string> = { pass: "✓", warn: "!", fail: "✗", error: "✗", skip: "-" };

/** The colour of a status, shared by every text screen of the tool. */
export function paint(c: ChalkInstance, s: Status, text: string): string {
  switch (s) {
    case "pass": return c.green(text);
    case "warn": return c.yellow(text);
    case "fail": return c.red(text);
    case "error": return c.magenta(text);
    case "skip": return c.dim(text);
  }
}

/** Text from clouds and configs must not drive the terminal: control characters and escapes are dropped. */
export function printable(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
}

function findingLines(c: ChalkInstance, f: Finding, verbose: boolean): string[] {
  const out = [`      ${paint(c, f.status, MARK[f.status])} ${printable(f.message)}${f.status === "error" ? c.dim(" (could not check)") : ""}`];
  if (verbose || f.status !== "pass") for (const d of renderDetails(f)) out.push(c.dim(`          ${printable(d)}`));
  if (f.fix && f.status !== "pass") {
    out.push(`        ${c.bold("Fix:")} ${printable(f.fix.summary)}`);
    for (const cmd of f.fix.commands) for (const line of cmd.split("\n").map(printable)) out.push(line.startsWith("#") ? c.dim(`          ${line}`) : c.cyan(`          ${line}`));
    if (f.fix.docs) out.push(c.dim(`        Docs: ${f.fix.docs}`));
  }
  return out;
}

function headline(check: CheckResult): string {
  const primary = check.findings.find((f) => f.status === check.status) ?? check.findings[0];
  return primary ? primary.message : "";
}

function checkLines(c: ChalkInstance, check: CheckResult, verbose: boolean): string[] {
  const mark = paint(c, check.status, `[${MARK[check.status]}]`);
  const lines = [`  ${mark} ${check.title} ${c.dim(`(${check.id})`)}`];
  const problems = check.status !== "pass" && check.status !== "skip";
  if (!problems && !verbose) {
    lines[0] += c.dim(` — ${printable(headline(check))}`);
    return lines;
  }
  const shown = verbose ? check.findings : check.findings.filter((f) => f.status !== "pass");
  for (const f of shown) lines.push(...findingLines(c, f, verbose));
  return lines;
}

function targetHeading(c: ChalkInstance, t: TargetResult): string {
  if (t.kind === "config") return c.bold(t.label);
  const extra = [t.sealType !== t.id ? t.sealType : undefined, t.disabled ? "disabled: the old seal of a migration" : undefined].filter(Boolean);
  return `${c.bold(`Seal ${t.id}`)}${extra.length ? c.dim(` (${extra.join(", ")})`) : ""}`;
}

function verdictLine(c: ChalkInstance, report: RunReport): string {
  const s = report.summary;
  const parts = [
    s.fail ? c.red(`${s.fail} failed`) : undefined,
    s.error ? c.magenta(`${s.error} could not check`) : undefined,
    s.warn ? c.yellow(`${s.warn} warning${s.warn === 1 ? "" : "s"}`) : undefined,
    `${s.pass} passed`,
    s.skip ? c.dim(`${s.skip} skipped`) : undefined,
  ].filter(Boolean).join(", ");
  const verdict = report.verdict === "problems"
    ? c.red.bold("✗ Problems found: this Vault may not unseal as configured.")
    : report.verdict === "warnings"
      ? c.yellow.bold("! No blocking problem found, with warnings.")
      : c.green.bold("✓ No problems found.");
  return `${verdict} ${parts}. ${c.dim(`(${(report.durationMs / 1000).toFixed(1)} s)`)}`;
}

// When several checks fail for one reason, the most specific cause is where to start: a context condition
// explains the denials next to it, a disabled key explains the failed round trip.
const CAUSE_PRIORITY = [
  "encryption_context_mismatch", "clock_skew", "seal_config_error", "wrong_region", "key_pending_deletion", "key_disabled",
  "key_wrong_usage_or_spec", "api_disabled", "web_identity_failed", "metadata_unreachable", "insufficient_scopes", "no_credentials",
  "invalid_credentials", "expired_credentials", "assume_role_denied", "key_not_found", "permission_denied",
];

function startHere(report: RunReport): { check: CheckResult; finding: Finding } | undefined {
  const failing = report.targets.flatMap((t) => t.checks.flatMap((check) => check.findings.filter((f) => f.status === "fail").map((finding) => ({ check, finding }))));
  if (failing.length < 2) return undefined;
  const rank = (f: Finding) => { const i = CAUSE_PRIORITY.indexOf(f.cause ?? ""); return i === -1 ? CAUSE_PRIORITY.length : i; };
  return failing.reduce((best, x) => (rank(x.finding) < rank(best.finding) ? x : best));
}

export function renderText(raw: RunReport, opts: TextOptions): string {
  const report = escapeForText(raw);
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const lines: string[] = [];
  const source = report.configFiles.length ? report.configFiles.join(", ") : "command-line flags";
  const target = report.target ? ` ${c.dim(`· for ${targetLabel(report.target)} (${printable(report.target.why)})`)}` : "";
  lines.push(`${c.bold("vault-kms-doctor")} ${report.tool.version} ${c.dim(`· ${source}`)}${target}`, "");
  for (const t of report.targets) {
    lines.push(targetHeading(c, t));
    for (const check of t.checks) lines.push(...checkLines(c, check, opts.verbose));
    lines.push("");
  }
  const first = startHere(report);
  if (first) {
    lines.push(`${c.bold("Start here:")} ${printable(first.finding.message)} ${c.dim(`(${first.check.id})`)}`);
    // One line to act on; a multi-line command (a policy document) stays under its check.
    const cmd = first.finding.fix?.commands.find((x) => !x.startsWith("#") && !x.includes("\n"));
    const needsFiles = first.finding.fix?.commands.some((x) => x.includes("\n")) ?? false;
    if (cmd) lines.push(c.cyan(`  ${printable(cmd)}`) + (needsFiles ? c.dim(`   # after the file commands under ${first.check.id} above`) : ""));
    else if (first.finding.fix) lines.push(c.dim(`  Fix: see ${first.check.id} above.`));
    lines.push("");
  }
  lines.push(verdictLine(c, report));
  return neutraliseWorkflowCommands(`${lines.join("\n")}\n`);
}
