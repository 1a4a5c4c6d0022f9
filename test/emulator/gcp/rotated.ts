// A scenario tweak: the seal's crypto key after a rotation (a new version made primary, as `gcloud kms keys versions
// create --primary` or automatic rotation does), with the versions that existed before left in `oldState`. What an
// operator's "rotate, then disable the old version" looks like to a Vault whose root key the old version wrapped
// (Cloud KMS picks the version from the ciphertext at Decrypt: https://cloud.google.com/kms/docs/re-encrypt-data).
// Used by the storage.gcp-version tests and the gcp:stored-* conformance rows; the scenario files stay as they are.
import type { GcpScenario, GcpVersionState } from "./scenario.js";

export function rotatedScenario(base: GcpScenario, oldState: GcpVersionState, opts: { newVersion?: string; destroyTime?: string } = {}): GcpScenario {
  const s = structuredClone(base);
  const ring = s.keyRings.find((r) => r.location === s.seal.region && r.id === s.seal.key_ring);
  const key = ring?.keys.find((k) => k.id === s.seal.crypto_key);
  if (!key) throw new Error(`rotatedScenario: the scenario has no key ${s.seal.key_ring}/${s.seal.crypto_key} in ${s.seal.region}`);
  const id = opts.newVersion ?? String(Math.max(0, ...key.versions.map((v) => Number(v.id) || 0)) + 1);
  for (const v of key.versions) {
    v.state = oldState;
    if (opts.destroyTime && (oldState === "DESTROY_SCHEDULED" || oldState === "DESTROYED")) v.destroyTime = opts.destroyTime;
  }
  key.versions.push({ id, state: "ENABLED", createTime: "2025-02-02T09:12:31Z" });
  key.primaryVersion = id;
  return s;
}
