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
  "transit_unavailable",
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export function isCauseId(value: string): value is CauseId {
  return (CAUSE_IDS as readonly string[]).includes(value);
}
