// Google identity end to end: the OAuth token endpoint behind a generated service-account key, and
// Application Default Credentials falling through to the fake GCE/GKE metadata server - all via
// google-auth-library, the library the doctor resolves credentials with.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { gcpMetadata } from "google-auth-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startGcpEmulator } from "../emulator/gcp/server.js";
import { loadGcpScenarioFile } from "../emulator/gcp/scenario.js";
import { createGcpKmsClient } from "../../src/clients/gcp.js";
import { openGcpSession, rpcFailure, type GcpEmulatorSession } from "./gcp-emulator-session.js";

const KEY = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key";
const SA = "vault-unseal@vault-prod-123456.iam.gserviceaccount.com";
const COMPUTE_SA = "482913675021-compute@developer.gserviceaccount.com";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

describe("service-account key file -> OAuth token endpoint", () => {
  let session: GcpEmulatorSession;

  it("the key file names the emulator as token_uri, and google-auth-library gets a working access token there", async () => {
    session = await openGcpSession("healthy");
    cleanups.push(() => session.close());
    const keyFile = JSON.parse(readFileSync(session.emulator.env.GOOGLE_APPLICATION_CREDENTIALS!, "utf8"));
    expect(keyFile).toMatchObject({ type: "service_account", client_email: SA, project_id: "vault-prod-123456", token_uri: `${session.emulator.httpEndpoint}/token` });
    expect(keyFile.private_key).toMatch(/^-----BEGIN PRIVATE[ ]KEY-----/);

    const credentials = await session.kms.auth.getCredentials();
    expect(credentials.client_email).toBe(SA);
    const token = await session.kms.auth.getAccessToken();
    expect(token).toMatch(/^ya29\.emulator-/);
    expect(session.emulator.audit.filter((e) => e.service === "gcp-oauth")).toMatchObject([{ operation: "token", principal: `serviceAccount:${SA}`, result: "ok" }]);

    // The issued token is a real credential for Cloud KMS.
    const channel = grpc.credentials.createSsl(readFileSync(session.emulator.env.VAULT_KMS_DOCTOR_GCP_CA_FILE!));
    const bearer = grpc.credentials.createFromMetadataGenerator((_p, callback) => {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${token}`);
      callback(null, metadata);
    });
    const { KeyManagementServiceClient } = await import("@google-cloud/kms");
    const [host, port] = session.emulator.endpoint.split(":");
    const direct = new KeyManagementServiceClient({
      apiEndpoint: host,
      port: Number(port),
      sslCreds: grpc.credentials.combineChannelCredentials(channel, bearer),
      "grpc.ssl_target_name_override": "localhost",
    });
    cleanups.push(() => direct.close());
    const [key] = await direct.getCryptoKey({ name: KEY });
    expect(key.name).toBe(KEY);
  });

  it("an assertion signed with another private key is refused: invalid_grant 'Invalid JWT Signature.'", async () => {
    session = await openGcpSession("healthy");
    cleanups.push(() => session.close());
    const dir = mkdtempSync(join(tmpdir(), "gcp-auth-test-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = JSON.parse(readFileSync(session.emulator.env.GOOGLE_APPLICATION_CREDENTIALS!, "utf8"));
    keyFile.private_key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const tampered = join(dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify(keyFile));
    const kms = await createGcpKmsClient({ timeoutMs: 3000, credentialsFile: tampered, env: session.emulator.env });
    cleanups.push(() => kms.close());
    await expect(kms.auth.getAccessToken()).rejects.toThrow("invalid_grant: Invalid JWT Signature.");
    // The gRPC path signs its own scoped JWT with the wrong key: the emulator refuses it too.
    const err = await rpcFailure(kms.client.getCryptoKey({ name: KEY }));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
  });
});

describe("Application Default Credentials -> metadata server", () => {
  // gcp-metadata reads these from process.env on every request, so the test sets them there.
  async function onMetadataScenario(name: string) {
    const emulator = await startGcpEmulator(loadGcpScenarioFile(name).gcp);
    cleanups.push(() => emulator.close());
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", undefined);
    for (const [key, value] of Object.entries(emulator.env)) vi.stubEnv(key, value);
    const kms = await createGcpKmsClient({ timeoutMs: 3000, env: emulator.env });
    cleanups.push(() => kms.close());
    return { emulator, kms };
  }

  it("GCE node default service account with narrow scopes: ADC works, Cloud KMS says 'insufficient authentication scopes'", async () => {
    const { emulator, kms } = await onMetadataScenario("metadata-narrow-scopes");
    expect(emulator.env.GOOGLE_APPLICATION_CREDENTIALS).toBeUndefined();
    expect(emulator.env.METADATA_SERVER_DETECTION).toBe("ping-only");
    expect((await kms.auth.getCredentials()).client_email).toBe(COMPUTE_SA);
    expect(await kms.auth.getProjectId()).toBe("vault-prod-123456");
    const scopes = String(await gcpMetadata.instance("service-accounts/default/scopes")).trim().split("\n");
    expect(scopes).not.toContain("https://www.googleapis.com/auth/cloud-platform");
    expect(scopes).toContain("https://www.googleapis.com/auth/devstorage.read_only");
    const token = await kms.auth.getAccessToken();
    expect(token).toMatch(/^ya29\.emulator-/);

    const err = await rpcFailure(kms.client.getCryptoKey({ name: KEY }));
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.details).toBe("Request had insufficient authentication scopes.");
    expect(err.reason).toBe("ACCESS_TOKEN_SCOPE_INSUFFICIENT");
    expect(err.errorInfoMetadata).toEqual({ method: "google.cloud.kms.v1.KeyManagementService.GetCryptoKey", service: "cloudkms.googleapis.com" });
    expect(emulator.audit.find((e) => e.service === "gcp-kms")).toMatchObject({ principal: `serviceAccount:${COMPUTE_SA}`, result: "PERMISSION_DENIED" });
    expect(emulator.audit.some((e) => e.service === "gcp-metadata" && e.operation === "instance/service-accounts/default/token")).toBe(true);
  });

  it("GKE Workload Identity: the metadata server serves the Google service account with cloud-platform, and the round trip works", async () => {
    const { emulator, kms } = await onMetadataScenario("metadata-workload-identity");
    expect((await kms.auth.getCredentials()).client_email).toBe(SA);
    expect(String(await gcpMetadata.instance("attributes/cluster-name"))).toBe("vault-cluster");
    const [encrypted] = await kms.client.encrypt({ name: KEY, plaintext: Buffer.alloc(32, 1) });
    const [decrypted] = await kms.client.decrypt({ name: KEY, ciphertext: encrypted.ciphertext });
    expect(Buffer.from(decrypted.plaintext as Uint8Array).equals(Buffer.alloc(32, 1))).toBe(true);
    expect(emulator.audit.filter((e) => e.service === "gcp-kms").map((e) => [e.operation, e.principal])).toEqual([
      ["Encrypt", `serviceAccount:${SA}`],
      ["Decrypt", `serviceAccount:${SA}`],
    ]);
  });

  it("answers only requests that carry Metadata-Flavor: Google, and always sends it back", async () => {
    const emulator = await startGcpEmulator(loadGcpScenarioFile("metadata-workload-identity").gcp);
    cleanups.push(() => emulator.close());
    const url = `${emulator.httpEndpoint}/computeMetadata/v1/instance/service-accounts/default/email`;
    const refused = await fetch(url, { signal: AbortSignal.timeout(3000) });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe("Missing Metadata-Flavor:Google header.");
    const answered = await fetch(url, { headers: { "Metadata-Flavor": "Google" }, signal: AbortSignal.timeout(3000) });
    expect(answered.headers.get("metadata-flavor")).toBe("Google");
    expect(await answered.text()).toBe(SA);
  });

  it("a scenario without a metadata server switches detection off instead of pointing anywhere", async () => {
    const emulator = await startGcpEmulator(loadGcpScenarioFile("healthy").gcp);
    cleanups.push(() => emulator.close());
    expect(emulator.env.METADATA_SERVER_DETECTION).toBe("none");
    expect(emulator.env.GCE_METADATA_HOST).toBeUndefined();
    for (const value of Object.values(emulator.env)) expect(value).not.toMatch(/169\.254|metadata\.google\.internal/);
  });
});
