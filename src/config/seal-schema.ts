// What each seal type's wrapper reads, and the words Vault uses when a required value is missing.
// Sources: go-kms-wrapping wrappers (awskms, gcpckms, azurekeyvault, transit) SetConfig, as listed in
// shared/VAULT-FACTS.md. Any key not listed here is silently ignored by Vault.

export interface SealSchema {
  keys: string[];
  /** key -> Vault's own error text when it is missing */
  required: Record<string, string>;
  /** Common misspellings and keys from other tools -> the key Vault reads */
  aliases: Record<string, string>;
}

export const COMMON_KEYS = ["disabled", "priority", "name"];

export const SEAL_SCHEMAS: Record<string, SealSchema> = {
  awskms: {
    keys: ["region", "kms_key_id", "endpoint", "access_key", "secret_key", "session_token", "shared_creds_filename", "shared_creds_profile",
      "web_identity_token_file", "role_arn", "role_session_name", "disallow_env_vars", "key_not_required"],
    // go-kms-wrapping wrappers/awskms/awskms.go SetConfig: neither AWSKMS_WRAPPER_KEY_ID, VAULT_AWSKMS_SEAL_KEY_ID
    // nor kms_key_id set (and key_not_required false).
    required: { kms_key_id: "key id not found in env or config for aws kms wrapper configuration" },
    aliases: { aws_region: "region", key_id: "kms_key_id", kms_key: "kms_key_id", kms_key_arn: "kms_key_id", kms_endpoint: "endpoint",
      aws_access_key_id: "access_key", aws_secret_access_key: "secret_key", profile: "shared_creds_profile" },
  },
  gcpckms: {
    keys: ["project", "region", "key_ring", "crypto_key", "credentials", "key_not_required"],
    required: {
      project: "'project' not found for GCP CKMS wrapper configuration",
      region: "'region' not found for GCP CKMS wrapper configuration",
      key_ring: "'key_ring' not found for GCP CKMS wrapper configuration",
      crypto_key: "'crypto_key' not found for GCP CKMS wrapper configuration",
    },
    aliases: { project_id: "project", location: "region", keyring: "key_ring", key_ring_name: "key_ring", cryptokey: "crypto_key", key: "crypto_key", crypto_key_name: "crypto_key" },
  },
  azurekeyvault: {
    keys: ["tenant_id", "client_id", "client_secret", "environment", "resource", "vault_name", "key_name"],
    required: { vault_name: "vault name is required", key_name: "key name is required" },
    aliases: { keyvault_name: "vault_name", key_vault_name: "vault_name", tenant: "tenant_id" },
  },
  transit: {
    keys: ["address", "token", "mount_path", "key_name", "namespace", "disable_renewal", "tls_ca_cert", "tls_client_cert", "tls_client_key",
      "tls_server_name", "tls_skip_verify"],
    required: { mount_path: "mount_path is required", key_name: "key_name is required" },
    aliases: { addr: "address", vault_addr: "address", mount: "mount_path", key: "key_name" },
  },
};

/** Damerau-free edit distance, enough to suggest `regoin` -> `region`. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggestKey(type: string, key: string): string | undefined {
  const schema = SEAL_SCHEMAS[type];
  if (!schema) return undefined;
  const lower = key.toLowerCase();
  if (schema.aliases[lower]) return schema.aliases[lower];
  if (schema.keys.includes(lower)) return lower;
  let best: { key: string; d: number } | undefined;
  for (const k of schema.keys) {
    const d = editDistance(lower, k);
    if (d <= 2 && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}
