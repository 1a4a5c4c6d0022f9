// Environment variables Vault copies INTO a seal's configuration, overwriting the file's values.
// Source: vault internalshared/configutil/env_var_util.go (per-wrapper maps), applied by getEnvConfig /
// configureWrapper in internalshared/configutil/kms.go (docs/vault-seal-facts.md#environment-overlay). When two
// variables map to one key and disagree, which one wins is the iteration order of a Go map, i.e. random: the
// reader records the conflict.

export interface SealEnvRule {
  /** Variable -> seal config key. For keys in `ordered`, earlier variables win (the wrapper reads them in that order). */
  vars: Record<string, string>;
  /** Keys for which the wrapper itself re-reads the variables in a fixed order, so a disagreement is not random. */
  ordered?: string[];
  /** Keys whose file value wins over the environment (transit: address, token). */
  fileWins?: string[];
}

export const SEAL_ENV: Record<string, SealEnvRule> = {
  awskms: {
    vars: {
      AWS_REGION: "region",
      AWS_DEFAULT_REGION: "region",
      AWS_ACCESS_KEY_ID: "access_key",
      AWS_SECRET_ACCESS_KEY: "secret_key",
      AWS_SESSION_TOKEN: "session_token",
      // go-kms-wrapping awskms SetConfig: AWSKMS_WRAPPER_KEY_ID, then VAULT_AWSKMS_SEAL_KEY_ID, then kms_key_id.
      AWSKMS_WRAPPER_KEY_ID: "kms_key_id",
      VAULT_AWSKMS_SEAL_KEY_ID: "kms_key_id",
      AWS_KMS_ENDPOINT: "endpoint",
    },
    ordered: ["kms_key_id"],
  },
  gcpckms: {
    vars: {
      GOOGLE_CREDENTIALS: "credentials",
      GOOGLE_APPLICATION_CREDENTIALS: "credentials",
      GOOGLE_PROJECT: "project",
      GOOGLE_REGION: "region",
      // go-kms-wrapping gcpckms SetConfig: GCPCKMS_WRAPPER_* first, then VAULT_GCPCKMS_SEAL_*, then the file.
      GCPCKMS_WRAPPER_KEY_RING: "key_ring",
      VAULT_GCPCKMS_SEAL_KEY_RING: "key_ring",
      GCPCKMS_WRAPPER_CRYPTO_KEY: "crypto_key",
      VAULT_GCPCKMS_SEAL_CRYPTO_KEY: "crypto_key",
    },
    ordered: ["key_ring", "crypto_key"],
  },
  azurekeyvault: {
    vars: {
      AZURE_TENANT_ID: "tenant_id",
      AZURE_CLIENT_ID: "client_id",
      AZURE_CLIENT_SECRET: "client_secret",
      AZURE_ENVIRONMENT: "environment",
      AZURE_AD_RESOURCE: "resource",
      VAULT_AZUREKEYVAULT_VAULT_NAME: "vault_name",
      VAULT_AZUREKEYVAULT_KEY_NAME: "key_name",
    },
  },
  transit: {
    vars: {
      VAULT_ADDR: "address",
      VAULT_TOKEN: "token",
      VAULT_NAMESPACE: "namespace",
      VAULT_CACERT: "tls_ca_cert",
      VAULT_CLIENT_CERT: "tls_client_cert",
      VAULT_CLIENT_KEY: "tls_client_key",
      VAULT_TLS_SERVER_NAME: "tls_server_name",
      VAULT_SKIP_VERIFY: "tls_skip_verify",
      // go-kms-wrapping transit: TRANSIT_WRAPPER_* first, then VAULT_TRANSIT_SEAL_*, then the file.
      TRANSIT_WRAPPER_KEY_NAME: "key_name",
      VAULT_TRANSIT_SEAL_KEY_NAME: "key_name",
      TRANSIT_WRAPPER_MOUNT_PATH: "mount_path",
      VAULT_TRANSIT_SEAL_MOUNT_PATH: "mount_path",
    },
    ordered: ["key_name", "mount_path"],
    fileWins: ["address", "token"],
  },
};

/** Keys whose value may be written as env://VAR, file:///path or string://text. */
export const INDIRECT_KEYS = new Set(["access_key", "secret_key", "session_token", "credentials"]);
