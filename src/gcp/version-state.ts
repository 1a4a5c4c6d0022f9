// What to do about a crypto key version that is not ENABLED, shared by gcpckms.key (primary version state)
// and gcpckms.round-trip (FAILED_PRECONDITION "... is not enabled, current state is: X", the Cloud KMS
// answer quoted in https://github.com/sethvargo/vault-on-gke/issues/56). States and transitions:
// https://cloud.google.com/kms/docs/key-states, https://cloud.google.com/kms/docs/destroy-restore.
import type { Fix } from "../model.js";
import { keyFlags } from "./key-flags.js";
import type { GcpConfigFacts } from "./session.js";

/** What a destroyed version means for Vault: said once, used by the check and by `explain`. */
export const DESTROYED_EXPLANATION = "Cloud KMS deleted the version's key material for good; Google cannot restore it. Everything it wrapped stays undecryptable.";
export const DESTROYED_SUMMARY =
  "its key material is gone and cannot be restored. Not recoverable: anything this version wrapped, which is Vault's root key in storage and in every storage backup taken since (a backup holds the same wrapped key, so restoring one does not help; recovery keys authorise operations but cannot decrypt it). Still possible: if a node is still unsealed, keep it running and migrate its seal to a new key before it restarts; data wrapped by other ENABLED versions still decrypts; otherwise initialise a new Vault and re-create its secrets from their sources.";

export interface VersionStateVerdict {
  cause: string;
  fix?: Fix;
}

export function versionStateVerdict(cfg: GcpConfigFacts, versionId: string, state: string): VersionStateVerdict {
  const keyArgs = `--key ${cfg.cryptoKey} ${keyFlags(cfg)}`;
  switch (state) {
    case "DISABLED":
      return { cause: "key_disabled", fix: { summary: `Enable version ${versionId}.`, commands: [`gcloud kms keys versions enable ${versionId} ${keyArgs}`] } };
    case "DESTROY_SCHEDULED":
      return {
        cause: "key_pending_deletion",
        fix: {
          summary: `Restore version ${versionId} before its destroy time (this leaves it DISABLED), then enable it.`,
          commands: [`gcloud kms keys versions restore ${versionId} ${keyArgs}`, `gcloud kms keys versions enable ${versionId} ${keyArgs}`],
          docs: "https://cloud.google.com/kms/docs/destroy-restore",
        },
      };
    case "DESTROYED":
      return {
        cause: "key_destroyed",
        fix: {
          summary: `Version ${versionId} is destroyed: ${DESTROYED_SUMMARY}`,
          commands: [
            `gcloud kms keys versions list ${keyArgs}   # other ENABLED versions still decrypt what they wrapped`,
            "vault status   # on every node: one still unsealed holds the root key in memory; keep it running",
            `gcloud kms keys versions create ${keyArgs} --primary   # new key material, for a new or migrated Vault only`,
          ],
          docs: "https://cloud.google.com/kms/docs/destroy-restore",
        },
      };
    default:
      return { cause: "key_disabled" };
  }
}

/** "projects/.../cryptoKeyVersions/1 is not enabled, current state is: DESTROYED." -> { versionId: "1", state: "DESTROYED" } */
export function parseVersionNotEnabled(message: string): { versionId: string; state: string } | undefined {
  const m = /cryptoKeyVersions\/([^/\s]+) is not enabled, current state is:?\s*([A-Z_]+)/.exec(message);
  return m ? { versionId: m[1]!, state: m[2]! } : undefined;
}

/** A symmetric key for Vault, rotating every 90 days (a key's purpose cannot be changed). */
export function createSymmetricKeyFix(cfg: GcpConfigFacts, summary: string): Fix {
  const next = new Date(Date.now() + 90 * 86400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    summary,
    commands: [`gcloud kms keys create ${cfg.cryptoKey}-symmetric ${keyFlags(cfg)} --purpose encryption --rotation-period 90d --next-rotation-time ${next}`],
    docs: "https://cloud.google.com/kms/docs/create-key",
  };
}
