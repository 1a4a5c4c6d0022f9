// Every line of ../shared/error-samples.jsonl (real errors with their accepted causes) is explained
// with an acceptable cause first, both as pasted text and through the streaming reader.
import { existsSync, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { explainStream, explainText } from "../../src/troubleshoot/index.js";

interface SharedSample {
  text: string;
  cause: string | string[];
  provider: string;
  source: string;
}

// The project's shared/ sits beside the checkout (newest samples); fixtures/logs holds the copy this
// checkout was tested with, for clones made without it.
const shared = new URL("../../../shared/error-samples.jsonl", import.meta.url);
const copy = new URL("../../fixtures/logs/error-samples.jsonl", import.meta.url);
const samples: SharedSample[] = readFileSync(existsSync(shared) ? shared : copy, "utf8")
  .split("\n")
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as SharedSample);

describe("shared error samples", () => {
  it("are present", () => expect(samples.length).toBeGreaterThanOrEqual(12));

  it.each(samples.map((s) => [s.source, s] as const))("%s", async (_src, s) => {
    const accepted = Array.isArray(s.cause) ? s.cause : [s.cause];
    expect(accepted).toContain(explainText(s.text)[0]?.cause);
    const report = await explainStream(Readable.from([s.text]));
    expect(accepted).toContain(report.matches[0]?.cause);
  });
});
