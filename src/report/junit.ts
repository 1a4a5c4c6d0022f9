// JUnit XML for CI: one <testsuite> per target (config, each seal), one <testcase> per check.
// fail -> <failure>, error -> <error>, skip -> <skipped>, warn -> a passing test with the warning in <system-out>,
// or a <failure> with `--fail-on warn` (the XML then fails exactly when the exit code does).
// Valid for strict consumers: Jenkins' xUnit plugin validates against junit-10.xsd, whose <testsuites> takes only
// name, time, tests, failures and errors (no `skipped`: the per-suite counts carry it); see
// test/report/junit-xsd.test.ts.
import type { RunReport } from "./report.js";
import type { CheckResult } from "../runner.js";
import { renderFindingPlain } from "./finding-text.js";
import { escapeForText } from "./terminal-text.js";

// XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const FORBIDDEN_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(FORBIDDEN_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;");
}

/** In an attribute a raw line break would be read as a space and would show as a new line in the file: encoded. */
function escapeXmlAttr(text: string): string {
  return escapeXml(text).replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export interface JunitOptions {
  /** `--fail-on`: with "warn", a warning is a <failure>. */
  failOn?: "fail" | "warn";
}

function testcase(suite: string, c: CheckResult, failOn: "fail" | "warn"): string {
  // One value, one line: a line break inside a seal name must not forge a line of the body.
  const body = c.findings.map((f) => renderFindingPlain(escapeForText(f))).join("\n");
  const first = c.findings.find((f) => f.status === c.status) ?? c.findings[0];
  const message = escapeXmlAttr(first?.message ?? c.title);
  const open = `    <testcase classname="${escapeXmlAttr(suite)}" name="${escapeXmlAttr(c.id)}" time="${seconds(c.durationMs)}">`;
  switch (c.status === "warn" && failOn === "warn" ? "fail" : c.status) {
    case "fail":
      return `${open}\n      <failure message="${message}" type="${escapeXmlAttr(first?.code ?? "fail")}">${escapeXml(body)}</failure>\n    </testcase>`;
    case "error":
      return `${open}\n      <error message="${message}" type="${escapeXmlAttr(first?.code ?? "error")}">${escapeXml(body)}</error>\n    </testcase>`;
    case "skip":
      return `${open}\n      <skipped message="${message}"/>\n    </testcase>`;
    case "warn":
      return `${open}\n      <system-out>${escapeXml(body)}</system-out>\n    </testcase>`;
    default:
      return `${open}</testcase>`;
  }
}

/** The root causes found on one target: one property each (rank, cause, title) and the fixes as plain text. */
function rootCauseParts(report: RunReport, targetId: string): { properties: string[]; out: string[] } {
  const mine = (report.rootCauses ?? []).map((rc, i) => ({ rc, n: i + 1 })).filter((x) => x.rc.target === targetId);
  if (mine.length === 0) return { properties: [], out: [] };
  const properties = ["    <properties>", ...mine.map(({ rc, n }) => `      <property name="vault-kms-doctor.rootCause.${n}" value="${escapeXmlAttr(`${rc.cause}: ${rc.title} (${rc.checks.join(", ")})`)}"/>`), "    </properties>"];
  const text = mine.map(({ rc, n }) => [`${n === 1 ? "Start here" : `Cause ${n}`}: ${rc.title} [${rc.cause}]`, `  ${rc.explanation}`, `  Fix: ${rc.fix.summary}`, ...rc.fix.commands.flatMap((c) => c.split("\n").map((l) => `    ${l}`)), ...(rc.fix.docs ? [`  Docs: ${rc.fix.docs}`] : [])].join("\n")).join("\n\n");
  return { properties, out: [`    <system-out>${escapeXmlAttr(text)}</system-out>`] };
}

export function renderJunit(report: RunReport, opts: JunitOptions = {}): string {
  const failOn = opts.failOn ?? "fail";
  const count = (checks: CheckResult[], s: string) =>
    checks.filter((c) => c.status === s || (s === "fail" && failOn === "warn" && c.status === "warn")).length;
  const all = report.targets.flatMap((t) => t.checks);
  const suites = report.targets.map((t) => {
    const suite = `vault-kms-doctor.${t.kind === "config" ? "config" : `seal.${t.id}`}`;
    const time = t.checks.reduce((a, c) => a + c.durationMs, 0);
    const causes = rootCauseParts(report, t.id);
    return [
      `  <testsuite name="${escapeXmlAttr(suite)}" tests="${t.checks.length}" failures="${count(t.checks, "fail")}" errors="${count(t.checks, "error")}" skipped="${count(t.checks, "skip")}" time="${seconds(time)}" timestamp="${report.startedAt.slice(0, 19)}">`,
      ...causes.properties,
      ...t.checks.map((c) => testcase(suite, c, failOn)),
      ...causes.out,
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vault-kms-doctor" tests="${all.length}" failures="${count(all, "fail")}" errors="${count(all, "error")}" time="${seconds(report.durationMs)}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
