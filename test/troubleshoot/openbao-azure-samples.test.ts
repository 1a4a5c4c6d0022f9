// OpenBao 2.6's own azurekeyvault error text, captured by `npm run conformance -- --only azure` (a real `bao server`
// with its azurekeyvault seal routed to the loopback Azure emulator through the CONNECT proxy):
// fixtures/logs/openbao-2.6-azurekeyvault.jsonl. The Azure SDK for Go prints a failed response as a block of
// lines (azcore ResponseError: URL, "RESPONSE 403", "ERROR CODE", the JSON body; azidentity: the token endpoint's
// body), so a sample is the whole block. `explain` names the row's cause first for each, as pasted text and
// through the streaming reader.
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

const samples: OpenBaoSample[] = readFileSync(new URL("../../fixtures/logs/openbao-2.6-azurekeyvault.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as OpenBaoSample);

describe("OpenBao 2.6 azurekeyvault log text", () => {
  it("covers every failing azure conformance row", () => {
    expect(samples.map((s) => s.scenario).sort()).toEqual([
      "conditional-access", "expired-secret", "firewall", "key-disabled", "key-missing", "no-get-permission", "no-unwrap-permission",
      "older-version-disabled", "rbac-no-permission", "vault-other-tenant", "wrong-tenant",
    ]);
  });

  it.each(samples.map((s) => [s.scenario, s] as const))("%s", async (_scenario, s) => {
    expect(explainText(s.text, { provider: "azurekeyvault" })[0]?.cause).toBe(s.cause);
    expect(explainText(s.text)[0]?.cause).toBe(s.cause);
    const report = await explainStream(Readable.from([s.text]));
    expect(report.matches[0]?.cause).toBe(s.cause);
  });

  it("reads an unknown tenant (AADSTS90002) and a token of another tenant (AKV10032) as the wrong tenant, not a wrong secret", () => {
    for (const scenario of ["wrong-tenant", "vault-other-tenant"]) {
      const s = samples.find((x) => x.scenario === scenario)!;
      expect(explainText(s.text, { provider: "azurekeyvault" })[0]).toMatchObject({ ruleId: "azure.wrong_tenant", cause: "wrong_tenant" });
    }
  });

  it("reads a Conditional Access block (AADSTS53003) as denied, not as a bad secret", () => {
    const s = samples.find((x) => x.scenario === "conditional-access")!;
    expect(explainText(s.text, { provider: "azurekeyvault" })[0]).toMatchObject({ ruleId: "azure.conditional_access", cause: "permission_denied" });
  });
});
