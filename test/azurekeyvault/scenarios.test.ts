import { describe, expect, it } from "vitest";
import { runAzureScenario } from "./azure-run.js";

describe("azurekeyvault against the loopback Azure", () => {
  it("healthy", async () => {
    const run = await runAzureScenario("healthy");
    console.log(JSON.stringify(run.codes, null, 1));
    for (const c of run.result.checks) for (const f of c.findings) if (f.status !== "pass") console.log(c.id, f.code, f.message);
    console.log(run.emulator.requests.join("\n"));
  }, 30_000);
});
