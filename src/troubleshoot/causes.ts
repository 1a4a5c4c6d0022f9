// Stable troubleshooting cause ids: a public contract (JSON output, docs, tests, Finding.cause).
// Add new ids at the end; never rename or remove one.
export const CAUSE_IDS = [
  "no_credentials",
  "expired_credentials",
  "invalid_credentials",
  "clock_skew",
  "web_identity_failed",
  "assume_role_denied",
  "metadata_unreachable",
  "insufficient_scopes",
  "permission_denied",
  "encryption_context_mismatch",
  "key_not_found",
  "wrong_region",
  "key_disabled",
  "key_pending_deletion",
  "key_wrong_usage_or_spec",
  "api_disabled",
  "managed_identity_error",
  "throttled",
  "kms_internal_error",
  "network_unreachable",
  "tls_error",
  "seal_config_error",
  "seal_migration_error",
  "vault_not_initialized",
  "recovery_vs_unseal_keys_confusion",
  "unseal_decrypt_failed",
  "unknown",
  // The doctor's own findings (src/causes/root-causes.ts): a pod using its node's role, advisory key settings.
  "workload_identity_missing",
  "rotation_disabled",
  "deletion_protection_off",
  // Key material destroyed for good (GCP DESTROYED): nothing it wrapped can be decrypted again.
  "key_destroyed",
  "transit_unavailable",
  // azurekeyvault: the credential's tenant is not the vault's / does not exist; a federated credential that does not
  // match the workload's token; the vault's firewall refusing the caller's address.
  "wrong_tenant",
  "federated_identity_mismatch",
  "network_denied",
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export function isCauseId(value: string): value is CauseId {
  return (CAUSE_IDS as readonly string[]).includes(value);
}
