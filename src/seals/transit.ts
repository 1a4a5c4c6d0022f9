// Another Vault's transit engine (`seal "transit"`).
// Settings: go-kms-wrapping wrappers/transit/options.go getOpts (mount_path, key_name, disable_renewal, namespace,
// address, tls_ca_cert, tls_ca_path, tls_client_cert, tls_client_key, tls_server_name, tls_skip_verify,
// key_id_prefix, token; token and tls_client_key go through wrapping.ParsePaths: env://, file://) and
// transit_client.go newTransitClient ("mount_path is required", "key_name is required").
// The overlay below is HashiCorp Vault's (the default target): internalshared/configutil/env_var_util.go
// TransitEnvVars, copied over the stanza from a Go map (no order between two variables for one setting) by
// kms.go mergeTransitConfig, where the file's token and address win (TransitPrioritizeConfigValues).
// OpenBao 2.6 has no overlay: its wrapper (openbao/go-kms-wrapping wrappers/transit v2.8.0) reads
// TRANSIT_WRAPPER_* / VAULT_TRANSIT_SEAL_* itself, before the file, also for address and token. What each server
// really uses, API-client variables (BAO_*) included, is src/transit/settings.ts; the transit checks use that.
import { defineSeal } from "./types.js";

export default defineSeal({
  type: "transit",
  title: "Vault transit",
  settings: [
    { name: "address", identifiesKey: true },
    { name: "token", secret: true, indirect: true },
    { name: "mount_path", requiredText: "mount_path is required", identifiesKey: true },
    { name: "key_name", requiredText: "key_name is required", identifiesKey: true },
    { name: "namespace", identifiesKey: true },
    { name: "disable_renewal", kind: "bool" },
    { name: "tls_ca_cert" },
    { name: "tls_ca_path" },
    { name: "tls_client_cert" },
    { name: "tls_client_key", indirect: true },
    { name: "tls_server_name" },
    { name: "tls_skip_verify", kind: "bool" },
    { name: "key_id_prefix" },
  ],
  aliases: { addr: "address", vault_addr: "address", mount: "mount_path", key: "key_name" },
  env: {
    vars: [
      ["VAULT_ADDR", "address"],
      ["VAULT_TOKEN", "token"],
      ["VAULT_NAMESPACE", "namespace"],
      ["VAULT_CACERT", "tls_ca_cert"],
      ["VAULT_CLIENT_CERT", "tls_client_cert"],
      ["VAULT_CLIENT_KEY", "tls_client_key"],
      ["VAULT_TLS_SERVER_NAME", "tls_server_name"],
      ["VAULT_SKIP_VERIFY", "tls_skip_verify"],
      ["TRANSIT_WRAPPER_KEY_NAME", "key_name"],
      ["VAULT_TRANSIT_SEAL_KEY_NAME", "key_name"],
      ["TRANSIT_WRAPPER_MOUNT_PATH", "mount_path"],
      ["VAULT_TRANSIT_SEAL_MOUNT_PATH", "mount_path"],
      ["TRANSIT_WRAPPER_DISABLE_RENEWAL", "disable_renewal"],
      ["VAULT_TRANSIT_SEAL_DISABLE_RENEWAL", "disable_renewal"],
    ],
    fileWins: ["address", "token"],
  },
  secretEnvVars: ["VAULT_TOKEN", "BAO_TOKEN", "TRANSIT_WRAPPER_TOKEN", "VAULT_TRANSIT_SEAL_TOKEN"],
  flags: [],
  providerHint: /\/(?:encrypt|decrypt)\/|transit/,
  checks: [
    "transit.settings",
    "transit.address",
    "transit.health",
    "transit.token",
    "transit.permissions",
    "transit.key",
    "transit.round-trip",
  ],
});
