// Starts the Google emulator for one scenario file and builds the doctor's own Cloud KMS client
// (src/clients/gcp.ts) against it. Shared by the emulator-gcp tests.
import { startGcpEmulator, type GcpEmulator } from "../emulator/gcp/server.js";
import { cryptoKeyName, loadGcpScenarioFile, type GcpScenario } from "../emulator/gcp/scenario.js";
import { createGcpKmsClient, type GcpKmsClient } from "../../src/clients/gcp.js";

export interface GcpEmulatorSession {
  emulator: GcpEmulator;
  scenario: GcpScenario;
  kms: GcpKmsClient;
  /** The crypto key name the scenario's Vault seal stanza points at. */
  sealKey: string;
  close(): Promise<void>;
}

export async function openGcpSession(name: string, timeoutMs = 5000): Promise<GcpEmulatorSession> {
  const scenario = loadGcpScenarioFile(name).gcp;
  const emulator = await startGcpEmulator(scenario);
  const kms = await createGcpKmsClient({ timeoutMs, env: emulator.env });
  const { project, region, key_ring, crypto_key } = scenario.seal;
  return {
    emulator,
    scenario,
    kms,
    sealKey: cryptoKeyName(project, region, key_ring, crypto_key),
    async close() {
      await kms.close();
      await emulator.close();
    },
  };
}

/** The google-gax error a rejected call ends with (code, details, reason from ErrorInfo). */
export interface RpcFailure {
  code: number;
  details: string;
  reason?: string;
  domain?: string;
  errorInfoMetadata?: Record<string, string>;
  message: string;
}

export async function rpcFailure(call: Promise<unknown>): Promise<RpcFailure> {
  try {
    await call;
  } catch (err) {
    return err as RpcFailure;
  }
  throw new Error("expected the call to fail");
}

/** Vault's startup TestIamPermissions set (go-kms-wrapping wrappers/gcpckms) plus cryptoKeys.get. */
export const VAULT_PERMISSIONS = [
  "cloudkms.cryptoKeys.get",
  "cloudkms.cryptoKeyVersions.useToEncrypt",
  "cloudkms.cryptoKeyVersions.useToDecrypt",
  "cloudkms.cryptoKeyVersions.useToSign",
  "cloudkms.cryptoKeyVersions.useToVerify",
  "cloudkms.cryptoKeyVersions.viewPublicKey",
];

/**
 * TestIamPermissions on the seal key for VAULT_PERMISSIONS. The client's typings ask for the
 * protobuf class (with toJSON) here while every other method takes plain objects; a plain object
 * is what goes on the wire either way.
 */
export async function testVaultPermissions(kms: GcpKmsClient, resource = KMS_SEAL_KEY): Promise<string[]> {
  const [answer] = await kms.client.testIamPermissions({ resource, permissions: VAULT_PERMISSIONS } as never);
  return answer.permissions ?? [];
}

const KMS_SEAL_KEY = "projects/vault-prod-123456/locations/global/keyRings/vault-unseal-ring/cryptoKeys/vault-unseal-key";
