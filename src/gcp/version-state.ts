// What to do about a crypto key version that is not ENABLED, shared by gcpckms.key (primary version state)
// and gcpckms.round-trip (FAILED_PRECONDITION "... is not enabled, current state is: X", the Cloud KMS
// answer quoted in https://github.com/sethvargo/vault-on-gke/issues/56). States and transitions:
// https://cloud.google.com/kms/docs/key-states, https://cloud.google.com/kms/docs/destroy-restore.
import type { Fix } from "../model.js";
import { keyFlags, type GcpConfigFacts } from "./session.js";

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
        cause: "key_pending_deletion",
        fix: {
          summary: "A destroyed version is gone. Create a new primary version so Vault can encrypt again; if Vault's root key was wrapped by the destroyed version, unsealing needs a recovery from backup (or a re-initialised Vault).",
          commands: [`gcloud kms keys versions create ${keyArgs} --primary`],
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
