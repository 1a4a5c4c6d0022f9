// examples/kubernetes/openbao-helm-values.yaml against the OpenBao chart's real layout (openbao/openbao-helm 0.29.2,
// charts/openbao: config volume "config" at /openbao/config, data at /openbao/data, uid 100 / gid 1000, BAO_ADDR set
// only in the server container), and the init container's own command line run on the chart's config file.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, codesOf, ROOT, runCli } from "../support/cli.js";

const text = readFileSync(join(ROOT, "examples/kubernetes/openbao-helm-values.yaml"), "utf8");
const live = text.split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");

describe("the openbao-helm example", () => {
  it("server.extraInitContainers with the chart's paths, user and service account", () => {
    expect(live).toMatch(/^server:\n(?:.*\n)*  extraInitContainers:\n    - name: vault-kms-doctor/m);
    expect(live).toMatch(/volumeMounts:\n\s+- name: config\n\s+mountPath: \/openbao\/config\n\s+readOnly: true/);
    expect(live).toMatch(/- name: data\n\s+mountPath: \/openbao\/data\n\s+readOnly: true/);
    expect(live).toMatch(/runAsUser: 100\n\s+runAsGroup: 1000/);
    // The pod's service account is the chart's; the server has not started, so no address to ask.
    expect(live).not.toContain("serviceAccountName");
    expect(live).not.toMatch(/name: (BAO|VAULT)_ADDR/);
    expect(text).toContain("updateStrategyType defaults to OnDelete");
  });

  it("its command line on the chart's config file: read as OpenBao 2.6's, the seal's variables from the example's env", async () => {
    const args = JSON.parse(/args: (\[.*\])/.exec(live)![1]!) as string[];
    expect(args).toEqual(["gate", "--config", "/openbao/config", "--target", "openbao@2.6", "--wait", "5m"]);
    const env: Record<string, string> = {};
    for (const m of live.split("      env:\n")[1]!.matchAll(/- name: (\w+)\n\s+value: (\S+)/g)) env[m[1]!] = m[2]!;
    expect(env).toEqual({ AWS_REGION: "us-east-1", VAULT_AWSKMS_SEAL_KEY_ID: "alias/openbao-unseal" });
    // check instead of gate (one pass, no wait), config checks only: no cloud is reached.
    const cli = ["check", ...args.slice(1, 5).map((a) => (a === "/openbao/config" ? join(ROOT, "fixtures/configs/openbao-helm") : a)), "--only", "config.*", "--format", "json"];
    const r = await runCli(cli, { env: baseEnv(env) });
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ server: "openbao", version: "2.6" });
    const codes = codesOf(report);
    expect(codes["awskms/config.required-keys"]).toEqual(["present"]);
    expect(codes["config/config.kms-plugins"]).toEqual(["builtin-deprecated"]);
    expect(r.code).toBe(0);
  });
});
