// GitHub Actions workflow commands (`--format github`): one annotation per finding that needs attention, at the
// config's file:line when known, and a closing notice with the verdict.
//   fail, error (could not check) → ::error     warn → ::warning     the verdict → ::notice (or ::error)
//
// Escaping is the one the runner undoes (actions/toolkit packages/core/src/command.ts, escapeData and
// escapeProperty): in the message % \r \n become %25 %0D %0A; in a property also : and , become %3A %2C. With every
// line break escaped, an annotation is exactly one line, so no value (a key id, an error text, a file name) can begin a
// line and start another workflow command (`::add-mask::`, `::stop-commands::`, ...).
// GitHub shows at most 10 errors and 10 warnings per step: errors come first.
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { RunReport } from "./report.js";
import type { CheckResult, TargetResult } from "../runner.js";
import type { Finding, SourceLocation } from "../model.js";

export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

type Command = "error" | "warning" | "notice";

function command(name: Command, props: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(props).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${name}${list.length ? ` ${list.join(",")}` : ""}::${escapeData(message)}`;
}

/** A path GitHub can attach to a line of the diff: relative to the workspace (the folder the tool ran in). */
function annotationFile(file: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel.split(sep).join("/");
}

function message(target: TargetResult, f: Finding): string {
  const lines = [`${target.label}: ${f.message}`];
  if (f.fix) {
    lines.push(`Fix: ${f.fix.summary}`, ...f.fix.commands);
    if (f.fix.docs) lines.push(`See ${f.fix.docs}`);
  }
  return lines.join("\n");
}

const RANK: Record<Command, number> = { error: 0, warning: 1, notice: 2 };

export function renderGithub(report: RunReport, opts: { cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const lines: { rank: number; text: string }[] = [];
  const annotate = (t: TargetResult, c: CheckResult, f: Finding) => {
    const name: Command | undefined = f.status === "fail" || f.status === "error" ? "error" : f.status === "warn" ? "warning" : undefined;
    if (!name) return;
    const where: SourceLocation | undefined = f.location ?? t.location ?? (t.kind === "config" && report.configFiles.length === 1 ? { file: report.configFiles[0]! } : undefined);
    const title = `${c.id}${f.status === "error" ? " (could not check)" : ""}: ${c.title}`;
    lines.push({ rank: RANK[name], text: command(name, { file: where ? annotationFile(where.file, cwd) : undefined, line: where?.line, title }, message(t, f)) });
  };
  for (const t of report.targets) for (const c of t.checks) for (const f of c.findings) annotate(t, c, f);
  const ordered = lines.sort((a, b) => a.rank - b.rank).map((l) => l.text);
  const s = report.summary;
  const verdict = report.verdict === "ok" ? "the seals will unseal" : report.verdict === "warnings" ? "the seals should unseal, with warnings" : "problems found: the seals may not unseal";
  const summary = `${verdict} (${s.pass} passed, ${s.warn} warnings, ${s.fail} failed, ${s.error} could not be checked, ${s.skip} skipped)`;
  ordered.push(command(report.verdict === "problems" ? "error" : "notice", { title: `${report.tool.name} ${report.tool.version}` }, summary));
  return `${ordered.join("\n")}\n`;
}
