// Fault injection against the doctor's client: hung calls end at the deadline, transient
// UNAVAILABLE is absorbed by the bounded retry, quota errors surface as RESOURCE_EXHAUSTED, and a
// dead endpoint fails inside the time budget. Each case also shows up in the audit log.
import { createServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { createGcpKmsClient } from "../../src/clients/gcp.js";
import { openGcpSession, rpcFailure, type GcpEmulatorSession } from "./gcp-emulator-session.js";

const KEY = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key";

let session: GcpEmulatorSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe("faults", () => {
  it("DEADLINE_EXCEEDED: a call the emulator never answers ends with DEADLINE_EXCEEDED at the client's deadline", async () => {
    session = await openGcpSession("healthy", 600);
    session.emulator.setFaults([{ kind: "DEADLINE_EXCEEDED", operation: "Encrypt" }]);
    const err = await rpcFailure(session.kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(err.details).toMatch(/^Deadline exceeded/);
    // Other operations are unaffected.
    const [key] = await session.kms.client.getCryptoKey({ name: KEY });
    expect(key.primary?.state).toBe("ENABLED");
    expect(session.emulator.audit.map((e) => [e.operation, e.result])).toEqual([
      ["Encrypt", "DEADLINE_EXCEEDED"],
      ["GetCryptoKey", "ok"],
    ]);
  });

  it("UNAVAILABLE once: the bounded retry absorbs it", async () => {
    session = await openGcpSession("healthy", 3000);
    session.emulator.setFaults([{ kind: "UNAVAILABLE", operation: "GetCryptoKey", times: 1 }]);
    const [key] = await session.kms.client.getCryptoKey({ name: KEY });
    expect(key.name).toBe(KEY);
    expect(session.emulator.audit.map((e) => e.result)).toEqual(["UNAVAILABLE", "ok"]);
  });

  it("RESOURCE_EXHAUSTED N times: not retried, surfaces with the quota message, then calls succeed again", async () => {
    session = await openGcpSession("healthy", 3000);
    session.emulator.setFaults([{ kind: "RESOURCE_EXHAUSTED", times: 2 }]);
    for (let i = 0; i < 2; i++) {
      const err = await rpcFailure(session.kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
      expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(err.details).toBe(
        "Quota exceeded for quota metric 'Cryptographic requests' and limit 'Cryptographic requests per minute' of service 'cloudkms.googleapis.com' for consumer 'project_number:482913675021'.",
      );
      expect(err.reason).toBe("RATE_LIMIT_EXCEEDED");
    }
    const [encrypted] = await session.kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") });
    expect(encrypted.name).toBe(`${KEY}/cryptoKeyVersions/1`);
    expect(session.emulator.audit.map((e) => e.result)).toEqual(["RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "ok"]);
  });

  it("latency: a slow answer inside the deadline succeeds; one beyond it is DEADLINE_EXCEEDED", async () => {
    session = await openGcpSession("healthy", 1500);
    session.emulator.setFaults([{ kind: "latency", latencyMs: 100, operation: "GetCryptoKey", times: 1 }]);
    const [key] = await session.kms.client.getCryptoKey({ name: KEY });
    expect(key.name).toBe(KEY);
    session.emulator.setFaults([{ kind: "latency", latencyMs: 10_000, operation: "GetCryptoKey" }]);
    const err = await rpcFailure(session.kms.client.getCryptoKey({ name: KEY }));
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it("a dead endpoint fails within the time budget instead of hanging", async () => {
    session = await openGcpSession("healthy");
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const dead = await createGcpKmsClient({ timeoutMs: 700, env: { ...session.emulator.env, VAULT_KMS_DOCTOR_GCP_KMS_ENDPOINT: `127.0.0.1:${closedPort}` } });
    try {
      const err = await rpcFailure(dead.client.getCryptoKey({ name: KEY }));
      expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      // google-gax's exact wording is the point: the emulator must make the real client say what it says against Google.
      expect(err.message).toContain("Total timeout of API google.cloud.kms.v1.KeyManagementService exceeded 700 milliseconds");
      expect(err.message).toContain("14 UNAVAILABLE");
    } finally {
      await dead.close();
    }
  });
});
