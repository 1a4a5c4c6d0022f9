// Encrypt/Decrypt semantics of the emulator as Vault's seal uses them (name = the crypto key,
// Decrypt finds the version from the ciphertext), AAD binding, version state changes, and the
// unmodified @google-cloud/kms client built directly (not through src/clients/gcp.ts).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import * as grpc from "@grpc/grpc-js";
import { GoogleAuth } from "google-auth-library";
import { afterEach, describe, expect, it } from "vitest";
import { crc32c } from "../emulator/gcp/ciphertext.js";
import type { GcpScenario } from "../emulator/gcp/scenario.js";
import { openGcpSession, rpcFailure, type GcpEmulatorSession } from "./gcp-emulator-session.js";

const KEY = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key";
const WRONG_KEY = "Decryption failed: verify that 'name' refers to the correct CryptoKey.";

let session: GcpEmulatorSession | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await session?.close();
  session = undefined;
});

async function healthy(): Promise<GcpEmulatorSession> {
  session = await openGcpSession("healthy");
  return session;
}

function bytes(value: Uint8Array | string | null | undefined): Buffer {
  return Buffer.from((value ?? new Uint8Array()) as Uint8Array);
}

describe("round trip", () => {
  it("encrypts a fresh 32-byte key and decrypts it by crypto key name, like Vault's envelope", async () => {
    const { kms } = await healthy();
    const plaintext = randomBytes(32);
    const [encrypted] = await kms.client.encrypt({ name: KEY, plaintext });
    expect(bytes(encrypted.ciphertext).includes(plaintext)).toBe(false);
    expect(Number(encrypted.ciphertextCrc32c?.value)).toBe(crc32c(bytes(encrypted.ciphertext)));
    const [decrypted] = await kms.client.decrypt({ name: KEY, ciphertext: encrypted.ciphertext });
    expect(bytes(decrypted.plaintext).equals(plaintext)).toBe(true);
    expect(decrypted.usedPrimary).toBe(true);
    expect(Number(decrypted.plaintextCrc32c?.value)).toBe(crc32c(plaintext));
  });

  it("binds additional authenticated data: same AAD decrypts, other or missing AAD fails like Cloud KMS", async () => {
    const { kms, emulator } = await healthy();
    const aad = Buffer.from("vault-prod");
    const [encrypted] = await kms.client.encrypt({ name: KEY, plaintext: Buffer.from("root key"), additionalAuthenticatedData: aad });
    const [ok] = await kms.client.decrypt({ name: KEY, ciphertext: encrypted.ciphertext, additionalAuthenticatedData: aad });
    expect(bytes(ok.plaintext).toString()).toBe("root key");
    for (const other of [Buffer.from("vault-dev"), undefined]) {
      const err = await rpcFailure(kms.client.decrypt({ name: KEY, ciphertext: encrypted.ciphertext, ...(other ? { additionalAuthenticatedData: other } : {}) }));
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.details).toBe(WRONG_KEY);
    }
    expect(emulator.audit.filter((e) => e.operation === "Decrypt").map((e) => [e.context?.aad, e.result])).toEqual([
      ["present", "ok"],
      ["present", "INVALID_ARGUMENT"],
      ["absent", "INVALID_ARGUMENT"],
    ]);
  });

  it("verifies request checksums and reports that it did", async () => {
    const { kms } = await healthy();
    const plaintext = Buffer.from("checked");
    const [encrypted] = await kms.client.encrypt({ name: KEY, plaintext, plaintextCrc32c: { value: crc32c(plaintext) } });
    expect(encrypted.verifiedPlaintextCrc32c).toBe(true);
    const err = await rpcFailure(kms.client.encrypt({ name: KEY, plaintext, plaintextCrc32c: { value: crc32c(plaintext) + 1 } }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe("The checksum in field plaintext_crc32c did not match the data in field plaintext.");
  });

  it("rejects bytes that are not a Cloud KMS ciphertext", async () => {
    const { kms } = await healthy();
    const err = await rpcFailure(kms.client.decrypt({ name: KEY, ciphertext: Buffer.from("not a ciphertext") }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe("Decryption failed: the ciphertext is invalid.");
  });
});

describe("versions over time", () => {
  function withVersions(s: GcpScenario, versions: { id: string; state: "ENABLED" | "DISABLED" | "DESTROYED" }[], primary: string): GcpScenario {
    const copy = structuredClone(s);
    const key = copy.keyRings[0]!.keys[0]!;
    key.versions = versions;
    key.primaryVersion = primary;
    return copy;
  }

  it("after rotation, old ciphertexts still decrypt via v1 until v1 is destroyed - then FAILED_PRECONDITION (Vault cannot unseal)", async () => {
    const { kms, emulator, scenario } = await healthy();
    const [old] = await kms.client.encrypt({ name: KEY, plaintext: Buffer.from("wrapped root key") });
    emulator.setScenario(withVersions(scenario, [{ id: "1", state: "ENABLED" }, { id: "2", state: "ENABLED" }], "2"));
    const [fresh] = await kms.client.encrypt({ name: KEY, plaintext: Buffer.from("new") });
    expect(fresh.name).toBe(`${KEY}/cryptoKeyVersions/2`);
    const [viaV1] = await kms.client.decrypt({ name: KEY, ciphertext: old.ciphertext });
    expect(bytes(viaV1.plaintext).toString()).toBe("wrapped root key");
    expect(viaV1.usedPrimary).toBe(false);

    emulator.setScenario(withVersions(scenario, [{ id: "1", state: "DESTROYED" }, { id: "2", state: "ENABLED" }], "2"));
    const err = await rpcFailure(kms.client.decrypt({ name: KEY, ciphertext: old.ciphertext }));
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err.details).toBe(`${KEY}/cryptoKeyVersions/1 is not enabled, current state is: DESTROYED.`);
  });

  it("a ciphertext from another key is refused with the wrong-key message", async () => {
    const { kms, emulator, scenario } = await healthy();
    const copy = structuredClone(scenario);
    copy.keyRings[0]!.keys.push({ ...structuredClone(copy.keyRings[0]!.keys[0]!), id: "other-key" });
    copy.bindings.push({ resource: `${KEY.replace(/vault-unseal-key$/, "other-key")}`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", members: copy.bindings[0]!.members });
    emulator.setScenario(copy);
    const [encrypted] = await kms.client.encrypt({ name: KEY.replace(/vault-unseal-key$/, "other-key"), plaintext: Buffer.from("x") });
    const err = await rpcFailure(kms.client.decrypt({ name: KEY, ciphertext: encrypted.ciphertext }));
    expect(err.details).toBe(WRONG_KEY);
  });
});

describe("the unmodified client, built directly", () => {
  function directClient(callCredentials: grpc.CallCredentials | undefined): KeyManagementServiceClient {
    const { emulator } = session!;
    const [host, port] = emulator.endpoint.split(":");
    const ssl = grpc.credentials.createSsl(readFileSync(emulator.env.VAULT_KMS_DOCTOR_GCP_CA_FILE!));
    const client = new KeyManagementServiceClient({
      apiEndpoint: host,
      port: Number(port),
      sslCreds: callCredentials ? grpc.credentials.combineChannelCredentials(ssl, callCredentials) : ssl,
      "grpc.ssl_target_name_override": "localhost",
    });
    closers.push(() => client.close());
    return client;
  }

  it("authenticates with google-auth-library's service-account credentials (self-signed JWT verified by the emulator)", async () => {
    await healthy();
    const auth = new GoogleAuth({ keyFilename: session!.emulator.env.GOOGLE_APPLICATION_CREDENTIALS, scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
    // What every generated Google client does to its auth (key_management_service_client.js:
    // "Set useJWTAccessWithScope on the auth object"): sign a scoped JWT locally, no token endpoint.
    auth.useJWTAccessWithScope = true;
    const jwt = await auth.getClient();
    const creds = grpc.credentials.createFromGoogleCredential({
      getRequestHeaders: async (url?: string) => {
        const headers: Record<string, string> = {};
        (await jwt.getRequestHeaders(url)).forEach((v, k) => (headers[k] = v));
        return headers;
      },
    });
    const [key] = await directClient(creds).getCryptoKey({ name: KEY });
    expect(key.primary?.state).toBe("ENABLED");
    expect(session!.emulator.audit.at(-1)?.principal).toBe("serviceAccount:vault-unseal@vault-prod-123456.iam.gserviceaccount.com");
    expect(session!.emulator.audit.some((e) => e.service === "gcp-oauth")).toBe(false);
  });

  it("a call without a bearer token is UNAUTHENTICATED", async () => {
    await healthy();
    const err = await rpcFailure(directClient(undefined).getCryptoKey({ name: KEY }));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err.details).toBe(
      "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    );
  });

  it("a token the emulator never issued is UNAUTHENTICATED 'invalid authentication credentials'", async () => {
    await healthy();
    const forged = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", "Bearer ya29.forged-token");
      callback(null, metadata);
    });
    const err = await rpcFailure(directClient(forged).getCryptoKey({ name: KEY }));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err.details).toMatch(/^Request had invalid authentication credentials\./);
    expect(session!.emulator.audit.at(-1)).toMatchObject({ operation: "GetCryptoKey", result: "UNAUTHENTICATED" });
  });
});
