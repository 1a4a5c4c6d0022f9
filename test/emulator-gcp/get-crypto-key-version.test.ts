// The emulator's GetCryptoKeyVersion (storage.gcp-version's one call), through the doctor's Cloud KMS client
// (src/clients/gcp.ts -> unmodified @google-cloud/kms over gRPC+TLS): any state is answered, not refused; Google's
// PERMISSION_DENIED "(or it may not exist)" without cloudkms.cryptoKeyVersions.get, NOT_FOUND for a version the key
// never had, INVALID_ARGUMENT for a name that is not a version's.
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { createGcpKmsClient, type GcpKmsClient } from "../../src/clients/gcp.js";
import { loadGcpScenarioFile, type GcpScenario } from "../emulator/gcp/scenario.js";
import { rotatedScenario } from "../emulator/gcp/rotated.js";
import { startGcpEmulator, type GcpEmulator } from "../emulator/gcp/server.js";
import { rpcFailure } from "./gcp-emulator-session.js";

const KEY = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key";
let open: { emulator: GcpEmulator; kms: GcpKmsClient } | undefined;
afterEach(async () => {
  await open?.kms.close();
  await open?.emulator.close();
  open = undefined;
});

async function session(scenario: GcpScenario): Promise<GcpKmsClient> {
  const emulator = await startGcpEmulator(scenario);
  open = { emulator, kms: await createGcpKmsClient({ timeoutMs: 5000, env: emulator.env }) };
  return open.kms;
}

describe("GetCryptoKeyVersion", () => {
  it("answers every state after a rotation: the old version DESTROY_SCHEDULED with its destroy time, the new one ENABLED", async () => {
    const kms = await session(rotatedScenario(loadGcpScenarioFile("healthy").gcp, "DESTROY_SCHEDULED", { destroyTime: "2030-01-01T00:00:00Z" }));
    const [v1] = await kms.client.getCryptoKeyVersion({ name: `${KEY}/cryptoKeyVersions/1` });
    expect(v1).toMatchObject({ name: `${KEY}/cryptoKeyVersions/1`, state: "DESTROY_SCHEDULED", protectionLevel: "SOFTWARE", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" });
    expect(v1.destroyTime?.seconds).toBe(String(Date.parse("2030-01-01T00:00:00Z") / 1000));
    const [v2] = await kms.client.getCryptoKeyVersion({ name: `${KEY}/cryptoKeyVersions/2` });
    expect(v2.state).toBe("ENABLED");
    const [key] = await kms.client.getCryptoKey({ name: KEY });
    expect(key.primary?.name).toBe(`${KEY}/cryptoKeyVersions/2`);
    expect(open!.emulator.audit.filter((a) => a.operation === "GetCryptoKeyVersion").map((a) => a.result)).toEqual(["ok", "ok"]);
  });

  it("NOT_FOUND for a version the key never had; INVALID_ARGUMENT for a key name", async () => {
    const kms = await session(loadGcpScenarioFile("healthy").gcp);
    const missing = await rpcFailure(kms.client.getCryptoKeyVersion({ name: `${KEY}/cryptoKeyVersions/9` }));
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.details).toBe(`CryptoKeyVersion ${KEY}/cryptoKeyVersions/9 not found.`);
    const wrongType = await rpcFailure(kms.client.getCryptoKeyVersion({ name: KEY }));
    expect(wrongType.code).toBe(status.INVALID_ARGUMENT);
  });

  it("PERMISSION_DENIED without roles/cloudkms.viewer (Encrypter/Decrypter does not grant cryptoKeyVersions.get)", async () => {
    const s = loadGcpScenarioFile("healthy").gcp;
    s.bindings = s.bindings.filter((b) => b.role !== "roles/cloudkms.viewer");
    const kms = await session(s);
    const err = await rpcFailure(kms.client.getCryptoKeyVersion({ name: `${KEY}/cryptoKeyVersions/1` }));
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toBe(`Permission 'cloudkms.cryptoKeyVersions.get' denied on resource '${KEY}/cryptoKeyVersions/1' (or it may not exist).`);
  });
});
