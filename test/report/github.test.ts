// `--format github`: workflow-command annotations. Hostile values (line breaks, `::`, `%`, `,` and `:` in file names
// and titles) must stay inside their own annotation: each output line is read back here the way the Actions runner
// reads a line (a command only at the start of a line: `::name k=v,k=v::message`, then %XX unescaping).
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/report.js";
import { escapeData, escapeProperty, renderGithub } from "../../src/report/github.js";
import type { RunResult } from "../../src/runner.js";
import { baseEnv, runCli } from "../support/cli.js";

const unescape = (s: string) => s.replace(/%(25|0D|0A|3A|2C)/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

interface Parsed { command: string; props: Record<string, string>; message: string }

/** One line as the runner parses it: `::` + command + optional ` props` + `::` + message. */
function parse(line: string): Parsed {
  expect(line.startsWith("::")).toBe(true);
  const end = line.indexOf("::", 2);
  expect(end).toBeGreaterThan(2);
  const info = line.slice(2, end);
  const space = info.indexOf(" ");
  const command = space < 0 ? info : info.slice(0, space);
  const props: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).split(",")) {
      const eq = pair.indexOf("=");
      props[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
  }
  return { command, props, message: unescape(line.slice(end + 2)) };
}

const parseAll = (out: string) => {
  expect(out.endsWith("\n")).toBe(true);
  return out.slice(0, -1).split(/\r?\n|\r/).map(parse);
};

const hostile = "denied\n::add-mask::s3cr3t\r\n::stop-commands::x %0A 100% done, key: a,b::c";
const run: RunResult = {
  durationMs: 10,
  targets: [
    {
      id: "config", kind: "config", label: "Configuration", status: "pass",
      checks: [{ id: "config.seal-layout", title: "Seal layout", status: "pass", advisory: false, durationMs: 1, findings: [{ status: "pass", code: "single-seal", message: "One seal." }] }],
    },
    {
      id: "awskms", kind: "seal", label: "awskms", sealType: "awskms", status: "fail", location: { file: "vault/a,b:c%0A\n::error::x.hcl", line: 7 },
      checks: [
        { id: "awskms.credentials", title: "Credential chain", status: "warn", advisory: false, durationMs: 1, findings: [
          { status: "warn", code: "several-sources", message: "Two sources." },
        ] },
        { id: "awskms.round-trip", title: "Round trip :: as Vault does it, really", status: "fail", advisory: false, durationMs: 1, findings: [
          { status: "fail", code: "decrypt-denied", message: hostile, fix: { summary: "Allow it.", commands: ["aws iam put-role-policy \\\n  --role-name 'vault\n::x'"] } },
        ] },
        { id: "awskms.rotation", title: "Key rotation", status: "error", advisory: true, durationMs: 1, findings: [
          { status: "error", code: "no-permission", message: "Could not read.", location: { file: "/elsewhere/vault.hcl", line: 3 } },
        ] },
        { id: "awskms.deletion-protection", title: "Deletion protection", status: "skip", advisory: true, durationMs: 0, findings: [
          { status: "skip", code: "prerequisite-failed", message: "Not run." },
        ] },
      ],
    },
  ],
};
const report = buildReport(run, { version: "1.2.3", startedAt: new Date(0), configFiles: ["vault/a,b:c%0A\n::error::x.hcl"] });

describe("--format github", () => {
  const out = renderGithub(report, { cwd: "/repo" });
  const lines = parseAll(out);

  it("one line per finding that needs attention, errors first, then the verdict", () => {
    expect(lines.map((l) => l.command)).toEqual(["error", "error", "warning", "error"]);
    expect(out.split("\n").filter((l) => l !== "").every((l) => /^::(error|warning|notice) /.test(l))).toBe(true);
    expect(lines[3]!.props.title).toBe("vault-kms-doctor 1.2.3");
    expect(lines[3]!.message).toContain("1 failed, 1 could not be checked");
  });

  it("hostile values round-trip exactly and never start a line", () => {
    const denied = lines[0]!;
    expect(denied.props).toEqual({ file: "vault/a,b:c%0A\n::error::x.hcl", line: "7", title: "awskms.round-trip: Round trip :: as Vault does it, really" });
    expect(denied.message).toBe(`awskms: ${hostile}\nFix: Allow it.\naws iam put-role-policy \\\n  --role-name 'vault\n::x'`);
    expect(out).not.toMatch(/(^|\n|\r)\s*::(add-mask|stop-commands|x)/);
    expect(out.split("\n")).toHaveLength(5);
  });

  it("an error finding says it could not check, at its own file:line", () => {
    expect(lines[1]!.props).toEqual({ file: "/elsewhere/vault.hcl", line: "3", title: "awskms.rotation (could not check): Key rotation" });
  });

  it("escapes as the Actions toolkit does", () => {
    expect(escapeData("a%b\r\nc:d,e")).toBe("a%25b%0D%0Ac:d,e");
    expect(escapeProperty("a%b\r\nc:d,e")).toBe("a%25b%0D%0Ac%3Ad%2Ce");
  });

  it("a real run: the config's typos are annotated on their lines, exit 1", async () => {
    const r = await runCli(["-c", "fixtures/configs/awskms-typos.hcl", "--format", "github", "--timeout", "5s"], { env: baseEnv() });
    expect(r.code).toBe(1);
    const live = parseAll(r.stdout);
    const typos = live.filter((l) => l.props.title?.startsWith("config.ignored-keys"));
    expect(typos.map((l) => [l.command, l.props.file, l.props.line])).toEqual([
      ["warning", "fixtures/configs/awskms-typos.hcl", "3"], ["warning", "fixtures/configs/awskms-typos.hcl", "4"], ["warning", "fixtures/configs/awskms-typos.hcl", "5"],
    ]);
    expect(live.at(-1)!.command).toBe("error");
  });
});
