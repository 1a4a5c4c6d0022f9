// Root cause first, on every emulator scenario, through the real CLI: a failing run's JSON has rootCauses[0] with
// commands and no placeholder for a value the run knows, and the text screen opens with that cause. Then every
// `aws` command the doctor can emit (all scenarios' reports and every explain rule's fix on the troubleshooting
// samples) goes through the real aws CLI with no network, and every gcloud command is checked against the table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { ROOT } from "../support/cli.js";
import { runScenario, scenarioNames, type ScenarioRun } from "../support/all-scenarios.js";
import { explainText } from "../../src/troubleshoot/index.js";
import { RULE_SAMPLES } from "../troubleshoot/samples.js";
import { awsInstalled, awsRequired, awsInvocations, gcloudInvocations, heredocOf, runAws, words } from "./shell-commands.js";
import { gcloudProblems } from "./gcloud-reference.js";

const PLACEHOLDER = /<[A-Z][A-Z0-9_]*>/;
const runs = new Map<string, ScenarioRun>();

beforeAll(async () => {
  const names = scenarioNames();
  // Two at a time: the machine has two cores shared with other work.
  for (let i = 0; i < names.length; i += 2) {
    const batch = await Promise.all(names.slice(i, i + 2).map((n) => runScenario(n)));
    for (const r of batch) runs.set(r.scenario, r);
  }
}, 600_000);

function allFixCommands(report: any): string[] {
  const out: string[] = [];
  for (const rc of report.rootCauses ?? []) out.push(...rc.fix.commands, ...rc.symptoms.flatMap((x: any) => x.extraCommands ?? []));
  for (const t of report.targets) for (const c of t.checks) for (const f of c.findings) out.push(...(f.fix?.commands ?? []));
  return out;
}

describe("root cause first, on every emulator scenario", () => {
  it("every failing scenario: rootCauses[0] has commands, no placeholder, and is the text's first block", () => {
    const failing = [...runs.values()].filter((r) => r.json.verdict === "problems");
    expect(failing.length).toBeGreaterThan(25);
    const problems: string[] = [];
    for (const r of failing) {
      const first = r.json.rootCauses?.[0];
      if (!first) { problems.push(`${r.scenario}: no rootCauses`); continue; }
      if (first.fix.commands.length === 0) problems.push(`${r.scenario}: rootCauses[0] (${first.cause}) has no command`);
      for (const c of first.fix.commands) if (PLACEHOLDER.test(c)) problems.push(`${r.scenario}: placeholder in ${JSON.stringify(c)}`);
      const lines = r.text.split("\n");
      if (!lines[2]?.startsWith(`Start here: ${first.title}`)) problems.push(`${r.scenario}: text starts with ${JSON.stringify(lines[2])}`);
      const shown = first.fix.commands.find((c: string) => !c.includes("\n") && !/\d{4}-\d\d-\d\dT/.test(c));
      if (shown && !r.text.includes(shown)) problems.push(`${r.scenario}: first command not on the screen`);
    }
    expect(problems).toEqual([]);
  });

  it("every scenario's JSON report validates against the committed schema", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "schema/report.schema.json"), "utf8"));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const r of runs.values()) expect(validate(r.json), `${r.scenario}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it("healthy scenarios carry no rootCauses; warnings-only scenarios carry advisory ones", () => {
    for (const r of runs.values()) {
      if (r.json.verdict === "ok") expect(r.json.rootCauses, r.scenario).toBeUndefined();
      if (r.json.verdict === "warnings") expect(r.json.rootCauses.length, r.scenario).toBeGreaterThan(0);
    }
  });

  it("the text screen states each cause's commands once (symptoms do not repeat the fix)", () => {
    for (const r of runs.values()) {
      for (const rc of r.json.rootCauses ?? []) {
        // (a command with a computed time differs between the text and the JSON run)
        const one = rc.fix.commands.find((c: string) => !c.includes("\n") && !c.startsWith("#") && c.length > 20 && !/\d{4}-\d\d-\d\dT/.test(c));
        if (!one || rc.advisory) continue;
        expect(r.text.split(one).length - 1, `${r.scenario}: ${one}`).toBe(1);
      }
    }
  });
});

// ---- the real aws CLI, no network ----------------------------------------------------------------------------

const PARSE_ERROR = /usage: aws|Parameter validation failed|Invalid choice|Unknown options|the following arguments are required|argument [^\n]*expected|Error parsing parameter|Invalid JSON|ParamValidation|Invalid type for parameter|Invalid length for parameter|Unknown parameter|Bad value for --query|Invalid jmespath/i;

it("the aws CLI is installed (npm run peers installs it; the commands must not go unverified)", () => {
  expect(awsInstalled).toBe(true);
});

describe("every emitted aws command parses with the real aws CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "vkd-awscli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("scenario reports and explain fixes: no argument or parameter error; file:// documents are JSON", async () => {
    const commands = new Set<string>();
    for (const r of runs.values()) for (const c of allFixCommands(r.json)) commands.add(c);
    for (const s of RULE_SAMPLES) for (const m of explainText(s.text)) for (const c of m.fix?.commands ?? []) commands.add(c);
    const problems: string[] = [];
    const segments = new Set<string>();
    for (const c of commands) {
      const doc = heredocOf(c);
      if (doc) {
        writeFileSync(join(dir, doc.file), `${doc.body}\n`);
        if (doc.file.endsWith(".json")) { try { JSON.parse(readFileSync(join(dir, doc.file), "utf8")); } catch (e) { problems.push(`${doc.file} is not JSON: ${(e as Error).message}`); } }
        continue;
      }
      for (const seg of awsInvocations(c)) segments.add(seg.replace(/<([A-Z][A-Z0-9_]*)>/g, "x"));
    }
    expect(segments.size).toBeGreaterThan(20);
    const list = [...segments];
    for (let i = 0; i < list.length; i += 3) {
      const results = await Promise.all(list.slice(i, i + 3).map(async (seg) => ({ seg, ...(await runAws(seg, dir)) })));
      for (const r of results) if (PARSE_ERROR.test(r.stderr)) problems.push(`${r.seg}\n  -> ${r.stderr.trim().split("\n").slice(-2).join(" | ")}`);
    }
    expect(problems).toEqual([]);
  }, 600_000);
});

describe("every emitted gcloud command matches the reference table", () => {
  it("scenario reports and explain fixes", () => {
    const commands = new Set<string>();
    for (const r of runs.values()) for (const c of allFixCommands(r.json)) commands.add(c);
    for (const s of RULE_SAMPLES) for (const m of explainText(s.text)) for (const c of m.fix?.commands ?? []) commands.add(c);
    const problems = new Set<string>();
    let seen = 0;
    for (const c of commands) for (const g of gcloudInvocations(c)) { seen++; for (const p of gcloudProblems(words(g).slice(1))) problems.add(`${p}  <- ${g}`); }
    expect(seen).toBeGreaterThan(10);
    expect([...problems]).toEqual([]);
  });
});
