// The doctor screen (after flutter doctor): one line per check with a mark, grouped by target, details and
// fix commands only under problems unless verbose, and the verdict last, where the eye lands.
import { Chalk, type ChalkInstance } from "chalk";
import type { Finding, Status } from "../model.js";
import type { CheckResult, TargetResult } from "../runner.js";
import type { RunReport } from "./report.js";
import type { RootCause } from "../causes/root-causes.js";
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

function checkLines(c: ChalkInstance, check: CheckResult, verbose: boolean, causes: number[] = []): string[] {
  const mark = paint(c, check.status, `[${MARK[check.status]}]`);
  const lines = [`  ${mark} ${check.title} ${c.dim(`(${check.id})`)}`];
  const problems = check.status !== "pass" && check.status !== "skip";
  if (!problems && !verbose) {
    lines[0] += c.dim(` — ${printable(headline(check))}`);
    return lines;
  }
  // A problem already shown under its root cause: one line pointing there.
  if (problems && !verbose && causes.length > 0) {
    lines[0] += c.dim(` — see ${causes.length === 1 && causes[0] === 1 ? "Start here" : `cause ${causes.join(", ")}`} above`);
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

/** Which root causes (1-based) explain a check's findings, for the one-line check list. */
function causeRefs(report: RunReport, targetId: string, checkId: string): number[] {
  return (report.rootCauses ?? []).flatMap((rc, i) => (rc.target === targetId && (rc.checks.includes(checkId) || rc.symptoms.some((x) => x.check === checkId)) ? [i + 1] : []));
}

function commandLines(c: ChalkInstance, commands: string[], indent: string): string[] {
  const out: string[] = [];
  for (const cmd of commands) for (const line of cmd.split("\n").map(printable)) out.push(line.startsWith("#") ? c.dim(`${indent}${line}`) : c.cyan(`${indent}${line}`));
  return out;
}

/** One root cause: title, what was seen, the fix with its commands, then the findings it explains, one line each. */
function causeLines(c: ChalkInstance, report: RunReport, rc: RootCause, n: number, verbose: boolean): string[] {
  const several = report.targets.filter((t) => t.kind === "seal").length > 1;
  const where = several || rc.target === "config" ? c.dim(` [${rc.target === "config" ? "configuration" : `seal ${rc.target}`}]`) : "";
  const label = n === 1 ? c.bold("Start here:") : c.bold(`${n}.`);
  const lines = [`${label} ${paint(c, rc.status, printable(rc.title))}${where} ${c.dim(`(${rc.cause})`)}`];
  lines.push(`  ${printable(rc.explanation)} ${c.dim(`(${rc.checks[0]})`)}`);
  const collapsed = rc.advisory && !verbose;
  lines.push(`  ${c.bold("Fix:")} ${printable(rc.fix.summary)}${collapsed && rc.fix.commands.length ? c.dim(" (commands: -v)") : ""}`);
  if (!collapsed) lines.push(...commandLines(c, rc.fix.commands, "    "));
  if (rc.fix.docs && !collapsed) lines.push(c.dim(`  Docs: ${rc.fix.docs}`));
  for (const x of rc.symptoms) {
    lines.push(c.dim(`  ${MARK[x.status]} also: ${printable(x.message)} (${x.check})`));
    if (x.extraCommands && verbose) lines.push(...commandLines(c, x.extraCommands, "    "));
  }
  return lines;
}

export function renderText(raw: RunReport, opts: TextOptions): string {
  const report = escapeForText(raw);
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const lines: string[] = [];
  const source = report.configFiles.length ? report.configFiles.join(", ") : "command-line flags";
  const target = report.target ? ` ${c.dim(`· for ${targetLabel(report.target)} (${printable(report.target.why)})`)}` : "";
  lines.push(`${c.bold("vault-kms-doctor")} ${report.tool.version} ${c.dim(`· ${source}`)}${target}`, "");
  // Root cause first: where to start and its commands, then the other causes; the check list below is the evidence.
  (report.rootCauses ?? []).forEach((rc, i) => lines.push(...causeLines(c, report, rc, i + 1, opts.verbose), ""));
  for (const t of report.targets) {
    lines.push(targetHeading(c, t));
    for (const check of t.checks) lines.push(...checkLines(c, check, opts.verbose, causeRefs(report, t.id, check.id)));
    lines.push("");
  }
  lines.push(verdictLine(c, report));
  return neutraliseWorkflowCommands(`${lines.join("\n")}\n`);
}
