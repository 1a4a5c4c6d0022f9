// Adding a seal type = one descriptor + one checks/<type>/ folder: a test-only descriptor, registered here and
// nowhere else, is picked up by the config lint, the environment overlay, redaction, `explain`'s provider
// hints, the CLI's flags and `list-checks`.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defineCheck } from "../../src/check.js";
import { registerSealDescriptor } from "../../src/seals/index.js";
import { defineSeal } from "../../src/seals/types.js";
import { buildSeals } from "../../src/config/load.js";
import { registerConfigSecrets } from "../../src/cli/run-args.js";
import { redactText } from "../../src/redact.js";
import { explainText } from "../../src/troubleshoot/index.js";
import { main } from "../../src/main.js";
import { configFromText, runCheck } from "../support/check-harness.js";
import type { TargetResult } from "../../src/runner.js";

const findings = (r: TargetResult) => r.checks.flatMap((c) => c.findings);
import requiredKeys from "../../checks/config/required-keys.js";
import ignoredKeys from "../../checks/config/ignored-keys.js";
import envOverrides from "../../checks/config/env-overrides.js";

const ping = defineCheck({
  id: "testseal.ping",
  title: "Widget cloud answers",
  scope: "seal",
  appliesTo: ["testseal"],
  blocksStart: true,
  messages: { "pong": "Widget {widget} answers." },
  async run(ctx) {
    return { findings: [ctx.report("pass", "pong", { widget: ctx.seal!.values.widget_id?.value })] };
  },
});

const testseal = defineSeal({
  type: "testseal",
  title: "Widget cloud",
  settings: [
    { name: "widget_id", requiredText: "widget id is required", identifiesKey: true },
    { name: "widget_secret", secret: true, indirect: true },
  ],
  aliases: { widget: "widget_id" },
  env: { vars: [["TESTSEAL_WIDGET_ID", "widget_id"], ["TESTSEAL_WIDGET_SECRET", "widget_secret"]] },
  secretEnvVars: ["TESTSEAL_WIDGET_SECRET"],
  flags: [{ flag: "widget-id", setting: "widget_id", describe: "testseal: widget_id" }],
  providerHint: /widgetcloud\.example/,
  checks: [["testseal.ping", async () => ({ default: ping })]],
});

let unregister: () => void;
beforeAll(() => { unregister = registerSealDescriptor(testseal); });
afterAll(() => unregister());

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await main(args), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

describe("a seal type registered only by its descriptor", () => {
  it("config lint: required settings with Vault's words, and an alias suggested for an ignored key", async () => {
    const config = configFromText('seal "testseal" {\n  widget = "w-1"\n}\n');
    expect(findings(await runCheck(requiredKeys, config)).map((f) => [f.status, f.code])).toEqual([["fail", "missing"]]);
    const ignored = findings(await runCheck(ignoredKeys, config));
    expect(ignored.map((f) => f.code)).toEqual(["ignored-key-suggest"]);
    expect(ignored[0]!.args).toMatchObject({ key: "widget", type: "testseal", suggestion: "widget_id" });
  });

  it("environment overlay: the descriptor's variable overrides the file, with provenance", async () => {
    const env = { TESTSEAL_WIDGET_ID: "w-env" };
    const [seal] = buildSeals([{ kind: "seal", type: "testseal", body: { widget_id: "w-file" }, file: "vault.hcl" }], { env });
    expect(seal!.values.widget_id).toMatchObject({ value: "w-env", from: { kind: "env", name: "TESTSEAL_WIDGET_ID" } });
    const config = configFromText('seal "testseal" {\n  widget_id = "w-file"\n}\n', env);
    expect(findings(await runCheck(envOverrides, config, { env })).map((f) => f.code)).toContain("overrides-file");
  });

  it("redaction: its secret setting and secret variable never print", () => {
    const config = configFromText('seal "testseal" {\n  widget_id = "w-1"\n  widget_secret = "s3cr3t-widget-value"\n}\n');
    registerConfigSecrets(config, { TESTSEAL_WIDGET_SECRET: "env-widget-secret-123" });
    expect(redactText("got s3cr3t-widget-value and env-widget-secret-123")).not.toMatch(/s3cr3t-widget-value|env-widget-secret-123/);
  });

  it("explain: its provider hint names it for a transport error", () => {
    const [d] = explainText("dial tcp: lookup api.widgetcloud.example: connection refused");
    expect(d).toMatchObject({ cause: "network_unreachable", provider: "testseal" });
  });

  it("CLI flags build such a seal without a config file, and its check runs", async () => {
    const { code, out } = await cli(["--seal", "testseal", "--widget-id", "w-42", "--format", "json", "--only", "testseal.*"]);
    const report = JSON.parse(out);
    const checks = report.targets.flatMap((t: { checks: { id: string; findings: { code: string }[] }[] }) => t.checks);
    expect(checks.map((c: { id: string }) => c.id)).toEqual(["testseal.ping"]);
    expect(checks[0].findings[0].code).toBe("pong");
    expect(code).toBe(0);
  });

  it("list-checks lists its checks", async () => {
    const { out } = await cli(["list-checks", "--format", "json"]);
    expect(JSON.parse(out).checks.map((c: { id: string }) => c.id)).toContain("testseal.ping");
  });
});
