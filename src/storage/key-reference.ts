// What a stored BlobInfo's KeyInfo.key_id says about the key that wrapped it, per wrapper
// (openbao/go-kms-wrapping, the wrappers OpenBao 2.6 builds in; Vault's hashicorp/go-kms-wrapping writes the same):
//   awskms   the key ARN of KMS's Encrypt answer (wrappers/awskms/awskms.go Encrypt: KeyId: *output.KeyId);
//            Decrypt sends no KeyId, KMS picks the key from the wrapped data key.
//   gcpckms  the CryptoKeyVersion resource name of Cloud KMS's Encrypt answer (wrappers/gcpckms/gcpckms.go Encrypt:
//            KeyId: resp.Name, "projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>/cryptoKeyVersions/<v>");
//            Decrypt calls the *configured* crypto key (ParentName), Cloud KMS picks the version from the ciphertext:
//            a restart needs the configured crypto key to be the recorded one and the recorded version ENABLED.
//   transit  key_id_prefix + "v<N>" (wrappers/transit/transit.go Encrypt); the version is also the ciphertext's
//            "vault:v<N>:" prefix (BlobInfo.transitVersion); the key name is not recorded.
import type { BlobInfo } from "./blob-info.js";

export type KeyReference =
  | { kind: "awskms"; arn: string; partition: string; region: string; account: string; keyId: string }
  | { kind: "gcpckms"; name: string; cryptoKey: string; project: string; location: string; keyRing: string; key: string; version: number }
  | { kind: "transit"; version: number; keyId: string }
  | { kind: "unknown"; keyId: string };

const AWS_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;
const GCP_VERSION = /^(projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+))\/cryptoKeyVersions\/(\d+)$/;

/** Reads the key reference of one stored blob (or seal-HA slot). */
export function keyReference(blob: BlobInfo): KeyReference {
  const keyId = blob.keyInfo?.keyId ?? "";
  const aws = AWS_ARN.exec(keyId);
  if (aws) return { kind: "awskms", arn: keyId, partition: aws[1]!, region: aws[2]!, account: aws[3]!, keyId: aws[4]! };
  const gcp = GCP_VERSION.exec(keyId);
  if (gcp) return { kind: "gcpckms", name: keyId, cryptoKey: gcp[1]!, project: gcp[2]!, location: gcp[3]!, keyRing: gcp[4]!, key: gcp[5]!, version: Number(gcp[6]) };
  if (blob.transitVersion !== undefined) return { kind: "transit", version: blob.transitVersion, keyId };
  return { kind: "unknown", keyId };
}

/** Every slot's reference (one for a bare BlobInfo; one per seal for Vault's seal-HA MultiWrapValue). */
export function keyReferences(blob: BlobInfo): KeyReference[] {
  return (blob.slots ?? [blob]).map(keyReference);
}
