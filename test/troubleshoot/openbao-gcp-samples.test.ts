// OpenBao 2.6's own gcpckms error lines, captured by `npm run conformance` (a real `bao server` with its gcpckms
// seal routed to the emulator through the loopback CONNECT proxy): fixtures/logs/openbao-2.6-gcpckms.jsonl.
// `explain` names the scenario's cause first for each, as pasted text and through the streaming reader.
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { explainStream, explainText } from "../../src/troubleshoot/index.js";

interface OpenBaoSample {
  text: string;
  cause: string;
  provider: string;
  scenario: string;
  source: string;
}

const samples: OpenBaoSample[] = readFileSync(new URL("../../fixtures/logs/openbao-2.6-gcpckms.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as OpenBaoSample);

describe("OpenBao 2.6 gcpckms log lines", () => {
  it("cover every failing gcp conformance scenario that logs a line", () => {
    expect(samples.map((s) => s.scenario).sort()).toEqual([
      "api-disabled", "key-not-found", "metadata-narrow-scopes", "permission-denied", "unavailable", "version-destroy-scheduled",
      "version-destroyed", "version-disabled", "viewer-only", "wrong-location", "wrong-purpose",
    ]);
  });

  it.each(samples.map((s) => [s.scenario, s] as const))("%s", async (_scenario, s) => {
    expect(explainText(s.text, { provider: "gcpckms" })[0]?.cause).toBe(s.cause);
    expect(explainText(s.text)[0]?.cause).toBe(s.cause);
    const report = await explainStream(Readable.from([s.text]));
    expect(report.matches[0]?.cause).toBe(s.cause);
  });

  it("reads a purpose error as the wrong kind of key, not a disabled version", () => {
    const s = samples.find((x) => x.scenario === "wrong-purpose")!;
    expect(explainText(s.text, { provider: "gcpckms" })[0]).toMatchObject({ ruleId: "gcp.wrong_purpose", cause: "key_wrong_usage_or_spec" });
  });
});
