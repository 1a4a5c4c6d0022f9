// Codes the root-cause work added, asserted on the scenario that emits each.
import { describe, expect, it } from "vitest";
import { check, runAgainst } from "../support/emulated-run.js";

const ONLY = ["-c", "fixtures/configs/awskms.hcl", "--only", "awskms.credentials", "--only", "awskms.identity"];

describe("awskms credential and identity codes", () => {
  it("irsa-token-expired: the web identity source is chosen but yields nothing (source-failed)", async () => {
    const r = await runAgainst("irsa-token-expired", ONLY);
    const f = check(r.report, "awskms.credentials").findings.find((x) => x.code === "source-failed")!;
    expect(f.status).toBe("fail");
    expect(f.args).toMatchObject({ error: expect.stringContaining("ExpiredToken") });
  });

  it("node-role-instead-of-irsa outside a pod: the caller is named like an EKS node role (node-role-likely)", async () => {
    const r = await runAgainst("node-role-instead-of-irsa", ONLY, { KUBERNETES_SERVICE_HOST: undefined });
    const f = check(r.report, "awskms.identity").findings.find((x) => x.code === "node-role-likely")!;
    expect(f.status).toBe("warn");
    expect(f.args).toMatchObject({ arn: expect.stringContaining(":assumed-role/"), role: expect.any(String) });
  });
});
