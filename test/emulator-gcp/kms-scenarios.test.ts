// Every key-file scenario, driven through the doctor's Cloud KMS client (src/clients/gcp.ts ->
// unmodified @google-cloud/kms over gRPC+TLS): what GetCryptoKey, TestIamPermissions and Encrypt
// answer, with Google's exact codes and messages.
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { cryptoKeyName } from "../emulator/gcp/scenario.js";
import { openGcpSession, rpcFailure, testVaultPermissions, type GcpEmulatorSession } from "./gcp-emulator-session.js";

const KEY = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key";
const V1 = `${KEY}/cryptoKeyVersions/1`;
const SA = "serviceAccount:vault-unseal@vault-prod-123456.iam.gserviceaccount.com";
const ALL_VAULT_NEEDS = ["cloudkms.cryptoKeys.get", "cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt"];

let session: GcpEmulatorSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function open(name: string): Promise<GcpEmulatorSession> {
  session = await openGcpSession(name);
  return session;
}

describe("gcp-healthy", () => {
  it("GetCryptoKey shows an enabled symmetric key with rotation; Vault's permissions are all granted; encrypt works", async () => {
    const { kms, sealKey, emulator } = await open("healthy");
    expect(sealKey).toBe(KEY);
    const [key] = await kms.client.getCryptoKey({ name: KEY });
    expect(key.purpose).toBe("ENCRYPT_DECRYPT");
    expect(key.primary?.name).toBe(V1);
    expect(key.primary?.state).toBe("ENABLED");
    expect(key.primary?.protectionLevel).toBe("SOFTWARE");
    expect(key.versionTemplate?.protectionLevel).toBe("SOFTWARE");
    expect(key.rotationPeriod?.seconds).toBe("7776000");
    expect(key.nextRotationTime?.seconds).toBe(String(Date.parse("2030-02-02T09:12:31Z") / 1000));

    expect(await testVaultPermissions(kms)).toEqual(ALL_VAULT_NEEDS);

    const [encrypted] = await kms.client.encrypt({ name: KEY, plaintext: Buffer.alloc(32, 7) });
    expect(encrypted.name).toBe(V1);
    expect(encrypted.protectionLevel).toBe("SOFTWARE");

    expect(emulator.audit.filter((e) => e.service === "gcp-kms").map((e) => [e.operation, e.principal, e.key, e.result])).toEqual([
      ["GetCryptoKey", SA, KEY, "ok"],
      ["TestIamPermissions", SA, KEY, "ok"],
      ["Encrypt", SA, KEY, "ok"],
    ]);
  });

  it("GetKeyRing is denied: the bindings sit on the key, not the ring (IAM inherits downwards only)", async () => {
    const { kms } = await open("healthy");
    const ring = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring";
    const err = await rpcFailure(kms.client.getKeyRing({ name: ring }));
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toBe(`Permission 'cloudkms.keyRings.get' denied on resource '${ring}' (or it may not exist).`);
  });
});

describe("gcp-permission-denied", () => {
  it("every call is PERMISSION_DENIED '(or it may not exist)' and TestIamPermissions returns nothing", async () => {
    const { kms, emulator } = await open("permission-denied");
    const get = await rpcFailure(kms.client.getCryptoKey({ name: KEY }));
    expect(get.code).toBe(status.PERMISSION_DENIED);
    expect(get.details).toBe(`Permission 'cloudkms.cryptoKeys.get' denied on resource '${KEY}' (or it may not exist).`);
    const encrypt = await rpcFailure(kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
    expect(encrypt.details).toBe(`Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${KEY}' (or it may not exist).`);
    expect(await testVaultPermissions(kms)).toEqual([]);
    expect(emulator.audit.map((e) => e.result)).toEqual(["PERMISSION_DENIED", "PERMISSION_DENIED", "ok"]);
  });
});

describe("gcp-viewer-only", () => {
  it("Vault's startup check passes (viewPublicKey granted, GetCryptoKey works) but Encrypt is denied", async () => {
    const { kms } = await open("viewer-only");
    const [key] = await kms.client.getCryptoKey({ name: KEY });
    expect(key.primary?.state).toBe("ENABLED");
    expect(await testVaultPermissions(kms)).toEqual(["cloudkms.cryptoKeys.get", "cloudkms.cryptoKeyVersions.viewPublicKey"]);
    const encrypt = await rpcFailure(kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
    expect(encrypt.code).toBe(status.PERMISSION_DENIED);
    expect(encrypt.details).toBe(`Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${KEY}' (or it may not exist).`);
  });
});

describe("gcp-api-disabled", () => {
  it("every call, TestIamPermissions included, is PERMISSION_DENIED SERVICE_DISABLED with the enable link", async () => {
    const { kms } = await open("api-disabled");
    const message =
      "Cloud Key Management Service (KMS) API has not been used in project 482913675021 before or it is disabled. " +
      "Enable it by visiting https://console.developers.google.com/apis/api/cloudkms.googleapis.com/overview?project=482913675021 then retry. " +
      "If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.";
    for (const call of [
      () => kms.client.getCryptoKey({ name: KEY }),
      () => testVaultPermissions(kms),
      () => kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }),
    ]) {
      const err = await rpcFailure(call());
      expect(err.code).toBe(status.PERMISSION_DENIED);
      expect(err.details).toBe(message);
      expect(err.reason).toBe("SERVICE_DISABLED");
      expect(err.domain).toBe("googleapis.com");
      expect(err.errorInfoMetadata).toEqual({ consumer: "projects/482913675021", service: "cloudkms.googleapis.com" });
    }
  });
});

describe("gcp-key-not-found", () => {
  it("a project viewer gets NOT_FOUND for the missing key, and the key ring still exists", async () => {
    const { kms } = await open("key-not-found");
    const get = await rpcFailure(kms.client.getCryptoKey({ name: KEY }));
    expect(get.code).toBe(status.NOT_FOUND);
    expect(get.details).toBe(`CryptoKey ${KEY} not found.`);
    const encrypt = await rpcFailure(kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
    expect(encrypt.code).toBe(status.NOT_FOUND);
    const [ring] = await kms.client.getKeyRing({ name: "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring" });
    expect(ring.name).toBe("projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring");
    expect(ring.createTime?.seconds).toBe(String(Date.parse("2024-11-04T09:10:02Z") / 1000));
    const [other] = await kms.client.getCryptoKey({ name: KEY.replace(/vault-unseal-key$/, "vault-key") });
    expect(other.primary?.state).toBe("ENABLED");
  });
});

describe.each([
  ["version-disabled", "DISABLED"],
  ["version-destroyed", "DESTROYED"],
  ["version-destroy-scheduled", "DESTROY_SCHEDULED"],
])("gcp-%s", (name, state) => {
  it(`GetCryptoKey reports the primary as ${state}; Encrypt fails with FAILED_PRECONDITION`, async () => {
    const { kms } = await open(name);
    const [key] = await kms.client.getCryptoKey({ name: KEY });
    expect(key.primary?.name).toBe(V1);
    expect(key.primary?.state).toBe(state);
    if (state !== "DISABLED") expect(key.primary?.destroyTime?.seconds).toMatch(/^\d+$/);
    const encrypt = await rpcFailure(kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
    expect(encrypt.code).toBe(status.FAILED_PRECONDITION);
    expect(encrypt.details).toBe(`${V1} is not enabled, current state is: ${state}.`);
    expect(await testVaultPermissions(kms)).toEqual(ALL_VAULT_NEEDS);
  });
});

describe("gcp-rotation-off", () => {
  it("the key has no rotationPeriod and no nextRotationTime, and still encrypts", async () => {
    const { kms } = await open("rotation-off");
    const [key] = await kms.client.getCryptoKey({ name: KEY });
    // Unset message fields arrive as null/undefined (proto3 oneof rotation_schedule unset).
    expect(key.rotationPeriod ?? null).toBeNull();
    expect(key.nextRotationTime ?? null).toBeNull();
    expect((key as { rotationSchedule?: string }).rotationSchedule).toBeUndefined();
    const [encrypted] = await kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") });
    expect(encrypted.name).toBe(V1);
  });
});

describe("gcp-wrong-purpose", () => {
  it("an ASYMMETRIC_DECRYPT key has no primary and refuses Encrypt", async () => {
    const { kms } = await open("wrong-purpose");
    const [key] = await kms.client.getCryptoKey({ name: KEY });
    expect(key.purpose).toBe("ASYMMETRIC_DECRYPT");
    expect(key.primary).toBeNull();
    expect(key.versionTemplate?.algorithm).toBe("RSA_DECRYPT_OAEP_2048_SHA256");
    const encrypt = await rpcFailure(kms.client.encrypt({ name: KEY, plaintext: Buffer.from("x") }));
    expect(encrypt.code).toBe(status.FAILED_PRECONDITION);
    expect(encrypt.details).toBe(`${KEY} has purpose ASYMMETRIC_DECRYPT, but this operation requires purpose ENCRYPT_DECRYPT.`);
  });
});

describe("gcp-wrong-location", () => {
  it("the configured global key ring is NOT_FOUND while the same key answers in us-central1 (HSM)", async () => {
    const { kms, sealKey, scenario } = await open("wrong-location");
    expect(sealKey).toBe(KEY);
    const get = await rpcFailure(kms.client.getCryptoKey({ name: KEY }));
    expect(get.code).toBe(status.NOT_FOUND);
    expect(get.details).toBe(`CryptoKey ${KEY} not found.`);
    const ring = await rpcFailure(kms.client.getKeyRing({ name: "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring" }));
    expect(ring.details).toBe("KeyRing projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring not found.");
    const real = cryptoKeyName(scenario.projectId, "us-central1", "vault-unseal-ring", "vault-unseal-key");
    const [key] = await kms.client.getCryptoKey({ name: real });
    expect(key.primary?.protectionLevel).toBe("HSM");
    const [encrypted] = await kms.client.encrypt({ name: real, plaintext: Buffer.from("x") });
    expect(encrypted.protectionLevel).toBe("HSM");
  });
});

describe("gcp-unavailable", () => {
  it("UNAVAILABLE is retried only inside the client's time budget, then the call fails", async () => {
    // A budget of several retry delays (first 100 ms): the first attempt's TLS handshake alone can take
    // most of a second on a loaded CI machine, and the test is about what happens after it.
    session = await openGcpSession("unavailable", 2500);
    const err = await rpcFailure(session.kms.client.getCryptoKey({ name: KEY }));
    // google-gax ends a retry loop that ran out of time with DEADLINE_EXCEEDED naming the last error
    // (node_modules/google-gax/build/src/normalCalls/retries.js).
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(err.message).toContain("Total timeout of API google.cloud.kms.v1.KeyManagementService exceeded 2500 milliseconds");
    expect(err.message).toContain("14 UNAVAILABLE: The service is currently unavailable.");
    const attempts = session.emulator.audit.filter((e) => e.operation === "GetCryptoKey");
    expect(attempts.length).toBeGreaterThan(1);
    expect(new Set(attempts.map((e) => e.result))).toEqual(new Set(["UNAVAILABLE"]));
  });
});
