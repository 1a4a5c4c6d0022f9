// Another Vault's transit engine (`seal "transit"`): settings only for now; live checks come with their own issue.
// Settings: go-kms-wrapping wrappers/transit/transit.go and client.go newTransitClient; the overlay: the
// Vault API client's own variables (api/client.go) and TRANSIT_WRAPPER_* / VAULT_TRANSIT_SEAL_*.
import { defineSeal } from "./types.js";

export default defineSeal({
  type: "transit",
  title: "Vault transit",
  settings: [
    { name: "address", identifiesKey: true },
    { name: "token", secret: true },
    { name: "mount_path", requiredText: "mount_path is required", identifiesKey: true },
    { name: "key_name", requiredText: "key_name is required", identifiesKey: true },
    { name: "namespace" },
    { name: "disable_renewal", kind: "bool" },
    { name: "tls_ca_cert" },
    { name: "tls_client_cert" },
    { name: "tls_client_key" },
    { name: "tls_server_name" },
    { name: "tls_skip_verify", kind: "bool" },
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
      // go-kms-wrapping transit: TRANSIT_WRAPPER_* first, then VAULT_TRANSIT_SEAL_*, then the file.
      ["TRANSIT_WRAPPER_KEY_NAME", "key_name"],
      ["VAULT_TRANSIT_SEAL_KEY_NAME", "key_name"],
      ["TRANSIT_WRAPPER_MOUNT_PATH", "mount_path"],
      ["VAULT_TRANSIT_SEAL_MOUNT_PATH", "mount_path"],
    ],
    ordered: ["key_name", "mount_path"],
    fileWins: ["address", "token"],
  },
  secretEnvVars: ["VAULT_TOKEN", "BAO_TOKEN"],
  flags: [],
  providerHint: /\/(?:encrypt|decrypt)\/|transit/,
  checks: [],
});
