// Google Cloud KMS (`seal "gcpckms"`).
// Settings and missing-value texts: go-kms-wrapping wrappers/gcpckms/gcpckms.go SetConfig; the environment
// overlay: vault internalshared/configutil/env_var_util.go (GCPCKMSEnvVars).
import { defineSeal } from "./types.js";

/** The variables the gcpckms wrapper itself reads (go-kms-wrapping gcpckms SetConfig: GCPCKMS_WRAPPER_* first, then
 * VAULT_GCPCKMS_SEAL_*, then the file); Vault's overlay adds GOOGLE_APPLICATION_CREDENTIALS. */
const WRAPPER_VARS = [
  ["GOOGLE_CREDENTIALS", "credentials"],
  ["GOOGLE_PROJECT", "project"],
  ["GOOGLE_REGION", "region"],
  ["GCPCKMS_WRAPPER_KEY_RING", "key_ring"],
  ["VAULT_GCPCKMS_SEAL_KEY_RING", "key_ring"],
  ["GCPCKMS_WRAPPER_CRYPTO_KEY", "crypto_key"],
  ["VAULT_GCPCKMS_SEAL_CRYPTO_KEY", "crypto_key"],
] as const;

export default defineSeal({
  type: "gcpckms",
  title: "Google Cloud KMS",
  settings: [
    { name: "project", requiredText: "'project' not found for GCP CKMS wrapper configuration", identifiesKey: true },
    { name: "region", requiredText: "'region' not found for GCP CKMS wrapper configuration", identifiesKey: true },
    { name: "key_ring", requiredText: "'key_ring' not found for GCP CKMS wrapper configuration", identifiesKey: true },
    { name: "crypto_key", requiredText: "'crypto_key' not found for GCP CKMS wrapper configuration", identifiesKey: true },
    { name: "credentials", indirect: true },
    { name: "key_not_required", kind: "bool" },
  ],
  aliases: { project_id: "project", location: "region", keyring: "key_ring", key_ring_name: "key_ring", cryptokey: "crypto_key", key: "crypto_key", crypto_key_name: "crypto_key" },
  env: {
    vars: [WRAPPER_VARS[0], ["GOOGLE_APPLICATION_CREDENTIALS", "credentials"], ...WRAPPER_VARS.slice(1)],
    ordered: ["key_ring", "crypto_key"],
  },
  // OpenBao 2.6: no overlay; openbao/go-kms-wrapping wrappers/gcpckms v2.3.0 gcpckms.go SetConfig reads
  // GOOGLE_CREDENTIALS, GOOGLE_PROJECT, GOOGLE_REGION and the key ring / crypto key variables itself, env first.
  // GOOGLE_APPLICATION_CREDENTIALS is not a setting there: the Google client's ADC reads it when credentials is empty.
  envFor: {
    openbao: {
      vars: WRAPPER_VARS,
      ordered: ["key_ring", "crypto_key"],
    },
  },
  secretEnvVars: ["GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN"],
  flags: [
    { flag: "region", setting: "region", describe: "gcpckms: KMS location" },
    { flag: "project", setting: "project", describe: "gcpckms: project" },
    { flag: "key-ring", setting: "key_ring", describe: "gcpckms: key_ring" },
    { flag: "crypto-key", setting: "crypto_key", describe: "gcpckms: crypto_key" },
  ],
  providerHint: /googleapis|cloudkms|GCP CKMS|gcpckms|projects\/[^/\s]{1,100}\/locations/,
  checks: [
    "gcpckms.config",
    "gcpckms.credentials",
    "gcpckms.api-enabled",
    "gcpckms.key",
    "gcpckms.rotation",
    "gcpckms.permissions",
    "gcpckms.round-trip",
  ],
});
