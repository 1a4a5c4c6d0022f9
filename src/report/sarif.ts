// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for GitHub code scanning,
// GitLab and any SARIF viewer: one run, one rule per check that ran (`tool.driver.rules`), one result per finding
// that needs attention.
//
// Levels (§3.27.10): fail → "error"; error (the check could not look) → "error" as well, with
// `properties.status: "error"`: the spec's own kind for it, "open", would force level "none" (§3.27.10), which GitHub
// shows as a note and which a consumer gating on errors would let through although nothing was verified (fail closed,
// like the exit code). warn → "warning". Passing and skipped checks emit no result (§3.27.9 allows "pass" and
// "notApplicable" results, but code scanning would list them as alerts); their rules are still in `driver.rules`,
// so a consumer sees what was checked, and an alert closes when its result no longer appears.
//
// Locations come from the config's `file:line` provenance: the finding's own when it carries one (an ignored key,
// an unresolvable env://), else the seal block's. A relative path stays relative to %SRCROOT% (the folder the tool
// ran in, usually the repository root, which is how code scanning matches results to files), and so does an absolute
// path inside that folder; any other becomes a file: URI. A seal given by flags has no file: its results carry no physical location.
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { RunReport } from "./report.js";
import type { CheckResult, TargetResult } from "../runner.js";
import type { Finding, SourceLocation } from "../model.js";

export const PROJECT_URL = "https://github.com/vault-kms-doctor/vault-kms-doctor";
/** The README's list of checks: the closest thing to a page per rule that the project publishes. */
export const CHECKS_DOCS_URL = `${PROJECT_URL}#what-is-checked`;
const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

type Level = "error" | "warning";
const LEVEL: Partial<Record<Finding["status"], Level>> = { fail: "error", error: "error", warn: "warning" };

/** `awskms.round-trip` → `AwskmsRoundTrip`: SARIF's reportingDescriptor.name is an identifier, not prose (§3.49.7). */
function ruleName(id: string): string {
  return id.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

/** A config path as a SARIF artifactLocation: inside the working folder, relative to %SRCROOT%; elsewhere a file: URI. */
function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const rel = relative(cwd, resolve(cwd, file));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return { uri: pathToFileURL(resolve(cwd, file)).href };
  return { uri: rel.split(sep).map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
}

function physical(loc: SourceLocation, cwd: string) {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(loc.file, cwd),
      ...(loc.line ? { region: { startLine: loc.line } } : {}),
    },
  };
}

function ruleFor(check: CheckResult, codes: Set<string>) {
  const kinds = check.advisory ? "An advisory check: it fails the gate only with --fail-on warn." : "A check that fails the gate.";
  const text = [
    `${check.title} (${check.id}). ${kinds}`,
    `Finding codes seen in this run: ${[...codes].sort().join(", ")}.`,
    `Every finding of this check, with its fix commands, is in \`vault-kms-doctor --format text\` or \`--format json\`; \`vault-kms-doctor list-checks\` lists every check.`,
  ].join("\n");
  return {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: `${check.title}: ${kinds}` },
    help: { text, markdown: text },
    helpUri: CHECKS_DOCS_URL,
    defaultConfiguration: { level: (check.advisory ? "warning" : "error") as Level },
    properties: { advisory: check.advisory, tags: [check.id.split(".")[0]!] },
  };
}

function messageText(target: TargetResult, f: Finding): string {
  const lines = [`${target.label}: ${f.message}`];
  if (f.fix) {
    lines.push(`Fix: ${f.fix.summary}`);
    for (const cmd of f.fix.commands) lines.push(cmd);
    if (f.fix.docs) lines.push(`See ${f.fix.docs}`);
  }
  return lines.join("\n");
}

export function renderSarif(report: RunReport, opts: { cwd?: string } = {}): string {
  const rules: ReturnType<typeof ruleFor>[] = [];
  const ruleIndex = new Map<string, number>();
  const codes = new Map<string, Set<string>>();
  for (const t of report.targets) {
    for (const c of t.checks) {
      if (!codes.has(c.id)) codes.set(c.id, new Set());
      for (const f of c.findings) codes.get(c.id)!.add(f.code);
    }
  }
  for (const t of report.targets) {
    for (const c of t.checks) {
      if (ruleIndex.has(c.id)) continue;
      ruleIndex.set(c.id, rules.length);
      rules.push(ruleFor(c, codes.get(c.id)!));
    }
  }

  const cwd = opts.cwd ?? process.cwd();
  const results = report.targets.flatMap((t) =>
    t.checks.flatMap((c) =>
      c.findings.filter((f) => LEVEL[f.status]).map((f) => {
        const where = f.location ?? t.location ?? (t.kind === "config" && report.configFiles.length === 1 ? { file: report.configFiles[0]! } : undefined);
        return {
          ruleId: c.id,
          ruleIndex: ruleIndex.get(c.id)!,
          kind: "fail" as const,
          level: LEVEL[f.status]!,
          message: { text: messageText(t, f) },
          ...(where ? { locations: [physical(where, cwd)] } : {}),
          properties: {
            status: f.status,
            code: f.code,
            target: t.id,
            ...(t.sealType ? { sealType: t.sealType } : {}),
            ...(f.cause ? { cause: f.cause } : {}),
            ...(f.fix ? { fix: f.fix } : {}),
            ...(f.details ? { details: f.details } : {}),
          },
        };
      }),
    ),
  );

  const endTime = new Date(Date.parse(report.startedAt) + report.durationMs).toISOString();
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: PROJECT_URL,
            rules,
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(cwd.endsWith(sep) ? cwd : `${cwd}${sep}`).href } },
        invocations: [{ executionSuccessful: true, startTimeUtc: report.startedAt, endTimeUtc: endTime }],
        results,
        properties: { verdict: report.verdict, status: report.status, summary: report.summary, configFiles: report.configFiles },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
