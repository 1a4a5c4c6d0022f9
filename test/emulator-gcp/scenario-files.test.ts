// The gcp-*.json scenario files: present, well-formed, describable, and the emulator built from
// them binds loopback only and leaves no private key behind.
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { grantedPermissions } from "../emulator/gcp/iam-roles.js";
import { describeGcpScenario, startGcpEmulator } from "../emulator/gcp/server.js";
import { listGcpScenarioNames, loadGcpScenarioFile } from "../emulator/gcp/scenario.js";

const EXPECTED = [
  "gcp-api-disabled",
  "gcp-healthy",
  "gcp-key-not-found",
  "gcp-metadata-narrow-scopes",
  "gcp-metadata-workload-identity",
  "gcp-permission-denied",
  "gcp-rotation-off",
  "gcp-unavailable",
  "gcp-version-destroy-scheduled",
  "gcp-version-destroyed",
  "gcp-version-disabled",
  "gcp-viewer-only",
  "gcp-wrong-location",
  "gcp-wrong-purpose",
];

describe("scenario files", () => {
  it("lists exactly the documented scenarios", () => {
    expect(listGcpScenarioNames()).toEqual(EXPECTED);
  });

  it.each(EXPECTED)("%s is well-formed and describable", (name) => {
    const file = loadGcpScenarioFile(name);
    expect(file.name).toBe(name);
    expect(file.description).toMatch(/^[^\n]{20,300}$/);
    const s = file.gcp;
    expect(s.projectId).toBe("vault-prod-123456");
    expect(s.seal).toEqual({ project: "vault-prod-123456", region: "global", key_ring: "vault-unseal-ring", crypto_key: "vault-unseal-key" });
    expect(Boolean(s.credentials) !== Boolean(s.metadata)).toBe(true);
    const lines = describeGcpScenario(s);
    expect(lines[0]).toContain("vault-prod-123456");
    expect(lines.some((l) => l.trim().startsWith("crypto key: projects/vault-prod-123456/locations/"))).toBe(true);
    expect(lines.at(-1)).toBe("Vault seal: project=vault-prod-123456 region=global key_ring=vault-unseal-ring crypto_key=vault-unseal-key");
  });
});

describe("IAM inheritance", () => {
  const key = "projects/p/locations/global/keyRings/r/cryptoKeys/k";
  const member = "serviceAccount:a@p.iam.gserviceaccount.com";
  it.each([
    ["a key binding grants on the key", key, key, true],
    ["a key ring binding grants on its keys", "projects/p/locations/global/keyRings/r", key, true],
    ["a project binding grants everywhere below", "projects/p", key, true],
    ["a key binding does not grant on the ring", key, "projects/p/locations/global/keyRings/r", false],
    ["a binding on another key does not grant", "projects/p/locations/global/keyRings/r/cryptoKeys/other", key, false],
  ])("%s", (_title, bound, asked, expected) => {
    const granted = grantedPermissions([{ resource: bound, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", members: [member] }], member, asked, () => true);
    expect(granted.has("cloudkms.cryptoKeyVersions.useToEncrypt")).toBe(expected);
    // The classic trap: Encrypter/Decrypter never grants cryptoKeys.get.
    expect(granted.has("cloudkms.cryptoKeys.get")).toBe(false);
  });
});

describe("emulator hygiene", () => {
  it("binds 127.0.0.1 only and removes its key files and CA on close", async () => {
    const emulator = await startGcpEmulator(loadGcpScenarioFile("healthy").gcp);
    expect(emulator.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(emulator.httpEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const keyFile = emulator.env.GOOGLE_APPLICATION_CREDENTIALS!;
    expect(JSON.parse(readFileSync(keyFile, "utf8")).token_uri).toBe(`${emulator.httpEndpoint}/token`);
    expect(dirname(keyFile)).toBe(dirname(emulator.env.VAULT_KMS_DOCTOR_GCP_CA_FILE!));
    expect(keyFile.startsWith(process.cwd())).toBe(false);
    await emulator.close();
    expect(existsSync(keyFile)).toBe(false);
    expect(existsSync(emulator.env.VAULT_KMS_DOCTOR_GCP_CA_FILE!)).toBe(false);
    await emulator.close(); // idempotent
  });
});
