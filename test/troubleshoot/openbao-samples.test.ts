// OpenBao 2.6's own error lines, captured by `npm run conformance` (a real `bao server` with its awskms seal on
// the emulator): fixtures/logs/openbao-2.6-awskms.jsonl. `explain` names the scenario's cause first for each, as
// pasted text and through the streaming reader (the hclog multi-line `error=\n  | ...` form included).
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { explainStream, explainText } from "../../src/troubleshoot/index.js";

interface OpenBaoSample {
  text: string;
  cause: string | string[];
  provider: string;
  scenario: string;
  source: string;
}

const samples: OpenBaoSample[] = readFileSync(new URL("../../fixtures/logs/openbao-2.6-awskms.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as OpenBaoSample);

describe("OpenBao 2.6 awskms log lines", () => {
  it("cover every failing conformance scenario that logs a line", () => {
    expect(samples.map((s) => s.scenario).sort()).toEqual([
      "alias-missing", "asymmetric-key", "clock-skew", "context-required", "denied-by-identity-policy", "denied-by-key-policy",
      "expired-session-token", "explicit-deny", "invalid-secret", "key-disabled", "key-pending-deletion", "kms-internal-error",
      "throttled", "unknown-access-key", "wrong-region",
    ]);
  });

  it.each(samples.map((s) => [s.scenario, s] as const))("%s", async (_scenario, s) => {
    const accepted = Array.isArray(s.cause) ? s.cause : [s.cause];
    expect(accepted).toContain(explainText(s.text, { provider: "awskms" })[0]?.cause);
    expect(accepted).toContain(explainText(s.text)[0]?.cause);
    const report = await explainStream(Readable.from([s.text]));
    expect(accepted).toContain(report.matches[0]?.cause);
  });
});
