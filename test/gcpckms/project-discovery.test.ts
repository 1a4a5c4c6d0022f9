// Issue 13, item 10: gcp-metadata-workload-identity ran seconds longer than gcp-healthy. The wait was
// google-auth-library looking for a project id, once per Cloud KMS client (one per check): with no key file
// naming a project it spawns `gcloud config config-helper --format json` and then asks the metadata server for
// project/project-id (findAndCacheProjectId in node_modules/google-auth-library/build/src/auth/googleauth.js).
// The doctor now hands it the seal's project, so neither happens. This test asserts the mechanism, not a time:
// a recording `gcloud` first on PATH is never run, and the metadata server never sees project/project-id.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/index.js";
import { baseEnv, runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vkd-fake-gcloud-"));
const log = join(dir, "gcloud-calls.log");
// A stand-in for the Cloud SDK: records its arguments and fails, as an unconfigured gcloud would.
writeFileSync(join(dir, "gcloud"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexit 1\n`);
chmodSync(join(dir, "gcloud"), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("gcpckms on the metadata server (GKE Workload Identity): no project id discovery", () => {
  it("runs no gcloud and asks the metadata server only for identity, one ping and tokens", async () => {
    const emulator = await startEmulator("gcp-metadata-workload-identity");
    try {
      const env = baseEnv({ ...emulator.env, PATH: `${dir}:${process.env.PATH ?? ""}` });
      const res = await runCli(["-c", "fixtures/configs/gcpckms.hcl", "--format", "json", "--call-timeout", "10s"], { env });
      const report = JSON.parse(res.stdout);
      expect(report.status).toBe("pass");
      expect(res.code).toBe(0);

      expect(existsSync(log) ? readFileSync(log, "utf8") : "").toBe("");
      const metadata = emulator.audit().filter((a) => a.service === "gcp-metadata").map((a) => a.operation);
      expect(metadata).not.toContain("project/project-id");
      // gcp-metadata's availability ping ("instance") is cached per process: once, not once per client.
      expect(metadata.filter((op) => op === "instance")).toHaveLength(1);
      const kmsCalls = emulator.audit().filter((a) => a.service === "gcp-kms").length;
      expect(kmsCalls).toBeGreaterThan(0);
      // Everything else is the credentials check's identity reads and one token per client.
      const other = metadata.filter((op) => op !== "instance" && op !== "instance/service-accounts/default/token");
      expect(new Set(other)).toEqual(
        new Set([
          "instance/service-accounts/default/email",
          "instance/service-accounts/default/scopes",
          "instance/attributes/cluster-name",
          "instance/attributes/cluster-location",
          "instance/zone",
          "instance/hostname",
        ]),
      );
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
