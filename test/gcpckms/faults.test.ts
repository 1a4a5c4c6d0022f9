// A Cloud KMS that hangs or is not there: every check that needed it says `error` with cause
// network_unreachable, within the call deadline, and never passes.
import { createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startEmulator } from "../emulator/index.js";
import { runGcpScenario, type GcpRun } from "./gcp-run.js";

let run: GcpRun | undefined;
afterEach(async () => {
  await run?.emulator.close();
  run = undefined;
  vi.unstubAllEnvs();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("gcpckms checks when Cloud KMS does not answer", () => {
  it("GetCryptoKey never answers (DEADLINE_EXCEEDED): the key check errors, the others still report", async () => {
    const emulator = await startEmulator("gcp-healthy");
    emulator.gcp!.setFaults([{ kind: "DEADLINE_EXCEEDED", operation: "GetCryptoKey" }]);
    run = await runGcpScenario("gcp-healthy", { emulator, callTimeoutMs: 400 });
    expect(run.codes["gcpckms.api-enabled"]).toEqual(["pass:enabled"]);
    expect(run.codes["gcpckms.key"]).toEqual(["error:failed"]);
    const f = run.finding("gcpckms.key", "failed");
    expect(f.cause).toBe("network_unreachable");
    expect(f.args!.error).toContain("DEADLINE_EXCEEDED");
    expect(run.codes["gcpckms.rotation"]).toEqual(["skip:prerequisite-failed"]);
    expect(run.result.status).toBe("error");
  });

  it("nothing listens at the endpoint: error network_unreachable, and later checks do not wait on it again", async () => {
    const port = await closedPort();
    const emulator = await startEmulator("gcp-healthy");
    run = await runGcpScenario("gcp-healthy", { emulator, env: { VAULT_KMS_DOCTOR_GCP_KMS_ENDPOINT: `127.0.0.1:${port}` }, callTimeoutMs: 400 });
    expect(run.codes["gcpckms.credentials"]).toEqual(["pass:file"]);
    expect(run.codes["gcpckms.api-enabled"]).toEqual(["error:failed"]);
    expect(run.finding("gcpckms.api-enabled", "failed").cause).toBe("network_unreachable");
    for (const id of ["gcpckms.key", "gcpckms.permissions", "gcpckms.round-trip"]) expect(run.codes[id]).toEqual(["skip:prerequisite-failed"]);
  });

  it("Encrypt never answers: the round trip is an error, not a pass", async () => {
    const emulator = await startEmulator("gcp-healthy");
    emulator.gcp!.setFaults([{ kind: "DEADLINE_EXCEEDED", operation: "Encrypt" }]);
    run = await runGcpScenario("gcp-healthy", { emulator, callTimeoutMs: 400 });
    expect(run.codes["gcpckms.round-trip"]).toEqual(["error:network"]);
    expect(run.finding("gcpckms.round-trip", "network").cause).toBe("network_unreachable");
  });
});
