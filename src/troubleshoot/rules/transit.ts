// transit seal: errors from the upstream Vault's API (`Error making API request. URL: ... Code: N.
// Errors: * ...`) and from the wrapper (go-kms-wrapping wrappers/transit/transit_client.go).
import { defineRules, valueOr, type Entities } from "../rule.js";
import { sq, vaultCmd } from "../../transit/fix.js";

const TRANSIT_403 = /URL: (?:PUT|POST) \S{1,500}\/(?:encrypt|decrypt)\/\S{1,200}\s{0,5}Code: 403/;
// Observed on OpenBao 2.6.2 (test/transit, test/conformance/transit.ts): a token the server does not know
// (revoked, expired, mistyped) gets a bare "* permission denied"; a valid token whose policy does not allow the
// path gets the ACL's multierror "* 1 error occurred:\n\t* permission denied".
const ACL_DENIED = /Code: 403\. Errors:\s{0,5}\* \d{1,3} errors? occurred:\s{0,5}\* permission denied/;
// Only in OpenBao's own start-up line ("Error configuring seal"), where this was observed; Vault's logs
// ("Error parsing Seal configuration", hashicorp/vault#14833) keep the policy first.
const BARE_DENIED = /Error configuring seal "transit": Error making API request\.\s{0,5}URL: \S{1,10} \S{1,600}\s{0,5}Code: 403\. Errors:\s{0,5}\* permission denied/;
// The seal's requests in Go's words: Put "https://host:8200/v1/transit/encrypt/key": tls: failed to verify …
const TRANSIT_TLS = /"https:\/\/[^"\s]{1,300}\/v1\/[^"\s]{1,300}\/(?:encrypt|decrypt)\/[^"\s]{1,200}": (?:tls: failed to verify certificate: )?x509: /;

function hostPort(e: Entities): string {
  const addr = valueOr(e, "vaultAddr", "https://<TRANSIT_HOST>:8200");
  try {
    const u = new URL(addr);
    return `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return "<TRANSIT_HOST>:8200";
  }
}

function policyCommands(e: Entities): string[] {
  const mount = valueOr(e, "mountPath", "transit");
  const key = valueOr(e, "transitKey", "<KEY_NAME>");
  return [
    `vault policy write autounseal - <<EOF\npath "${mount}/encrypt/${key}" { capabilities = ["update"] }\npath "${mount}/decrypt/${key}" { capabilities = ["update"] }\nEOF`,
    `VAULT_ADDR=${valueOr(e, "vaultAddr", "<UPSTREAM_VAULT_ADDR>")} vault token create -orphan -policy=autounseal -period=24h`,
  ];
}

export const transitRules = defineRules([
  {
    id: "transit.permission_denied",
    cause: "permission_denied",
    providers: ["transit"],
    title: "The transit token's policy does not allow encrypt/decrypt on the key",
    explanation: "The upstream Vault answered 403 on the transit encrypt/decrypt path: the token's policy lacks update on <mount>/encrypt/<key> and <mount>/decrypt/<key>.",
    patterns: [TRANSIT_403],
    boosts: [{ when: ACL_DENIED, by: 15 }],
    score: 80,
    fix: (e) => ({ summary: "Grant the seal token update on the transit encrypt and decrypt paths of the key.", commands: policyCommands(e) }),
    distinguishing: "`vault token lookup <token>` against the upstream Vault: if the token is unknown or expired, it is the token, not the policy.",
    sources: ["https://github.com/hashicorp/vault/issues/14833"],
  },
  {
    id: "transit.token_expired",
    cause: "expired_credentials",
    providers: ["transit"],
    title: "The transit seal token has expired or was revoked",
    explanation: "A 403 on renew-self or on the transit path after the seal worked for a while means the token reached its max TTL or was revoked (non-periodic token, or renewal disabled).",
    patterns: [/auth\/token\/renew-self[^\n]{0,200}Code: 403/, /auth\/token\/renew-self[^\n]{0,200}permission denied/, TRANSIT_403],
    boosts: [{ when: /renew-self|token (?:is )?expired|invalid token/, by: 20 }, { when: BARE_DENIED, by: 20 }],
    score: 68,
    fix: (e) => ({ summary: "Issue a periodic orphan token for the seal and put it in the stanza (token) or VAULT_TOKEN.", commands: policyCommands(e).slice(1) }),
    distinguishing: "A token that never worked points at the policy; one that worked for weeks before a restart points at expiry.",
    sources: ["https://github.com/hashicorp/vault/issues/14833"],
  },
  {
    id: "transit.key_not_found",
    cause: "key_not_found",
    providers: ["transit"],
    title: "The transit key does not exist",
    explanation: "The upstream Vault has no transit key with this name on this mount.",
    patterns: [/\* encryption key not found/, /encryption key not found/],
    score: 88,
    fix: (e) => ({
      summary: "Create the key (or fix key_name / mount_path).",
      commands: [`VAULT_ADDR=${valueOr(e, "vaultAddr", "<UPSTREAM_VAULT_ADDR>")} vault write -f ${valueOr(e, "mountPath", "transit")}/keys/${valueOr(e, "transitKey", "<KEY_NAME>")}`],
    }),
    sources: ["https://github.com/hashicorp/vault/blob/main/builtin/logical/transit/path_decrypt.go"],
  },
  {
    id: "transit.mount_not_found",
    cause: "seal_config_error",
    providers: ["transit"],
    title: "No transit engine at the configured mount_path",
    explanation: "The upstream Vault has no secrets engine mounted at this path (mount_path typo, or transit enabled elsewhere).",
    patterns: [/no handler for route[^\n]{0,300}(?:encrypt|decrypt)/],
    score: 88,
    fix: (e) => ({
      summary: "Set mount_path to where transit is enabled, or enable it there.",
      commands: [`VAULT_ADDR=${valueOr(e, "vaultAddr", "<UPSTREAM_VAULT_ADDR>")} vault secrets list`, `vault secrets enable -path=${valueOr(e, "mountPath", "transit")} transit`],
    }),
    sources: ["https://github.com/hashicorp/vault/blob/main/vault/router.go"],
  },
  {
    id: "transit.missing_config",
    cause: "seal_config_error",
    providers: ["transit"],
    title: "The transit seal stanza is incomplete",
    explanation: "key_name and mount_path are required (or VAULT_TRANSIT_SEAL_KEY_NAME / VAULT_TRANSIT_SEAL_MOUNT_PATH).",
    patterns: [/\bkey_name is required/, /\bmount_path is required/],
    score: 92,
    fix: () => ({ summary: "Add key_name and mount_path to the seal \"transit\" stanza.", commands: [] }),
    sources: ["https://github.com/hashicorp/go-kms-wrapping/blob/main/wrappers/transit/transit_client.go"],
  },
  {
    id: "transit.upstream_sealed",
    cause: "transit_unavailable",
    providers: ["transit"],
    title: "The transit cluster is sealed or not initialised",
    explanation: "The cluster that holds the transit key answered 503 \"Vault is sealed\" (OpenBao 2.6 says the same when it is not initialised): nothing that depends on it can start or unseal until it is unsealed.",
    patterns: [/Code: 503\. Errors:\s{0,5}\* (?:Vault|OpenBao) is sealed/],
    score: 90,
    fix: (e) => ({
      summary: "Unseal (or initialise) the transit cluster first; then restart this server.",
      commands: [vaultCmd(valueOr(e, "vaultAddr", "<UPSTREAM_VAULT_ADDR>"), "status"), vaultCmd(valueOr(e, "vaultAddr", "<UPSTREAM_VAULT_ADDR>"), "operator unseal")],
    }),
    distinguishing: "`vault status` against the transit cluster: Sealed true, or Initialized false.",
    sources: ["https://github.com/openbao/openbao/blob/dd9c19c37a878cf4a81b18efb8d6f0599c7da923/http/handler.go (ErrSealed: 503)"],
  },
  {
    id: "transit.tls_unknown_authority",
    cause: "tls_error",
    providers: ["transit"],
    title: "The transit cluster's certificate is signed by a CA the seal does not trust",
    explanation: "The seal's API client does not trust the CA that signed the transit cluster's listener certificate: give it that CA in tls_ca_cert (or tls_ca_path, VAULT_CACERT / BAO_CACERT).",
    patterns: [/x509: certificate signed by unknown authority/],
    boosts: [{ when: TRANSIT_TLS, by: 10 }],
    score: 86,
    fix: (e) => ({
      summary: "Set tls_ca_cert in the seal \"transit\" stanza to the CA that signed the transit cluster's certificate (see it with openssl).",
      commands: [`openssl s_client -connect ${sq(hostPort(e))} -showcerts </dev/null`, `# seal "transit" { ... tls_ca_cert = "/etc/vault/transit-ca.pem" }`],
    }),
    sources: ["openbao api/client.go configureTLS; observed on OpenBao 2.6.2 (test/transit/transit-tls.test.ts)"],
  },
  {
    id: "transit.tls_name_mismatch",
    cause: "tls_error",
    providers: ["transit"],
    title: "The transit cluster's certificate does not name the address",
    explanation: "The certificate is valid for other names than the host in address: use one of them in address, or in tls_server_name.",
    patterns: [/x509: certificate is valid for [^\n]{1,300}, not \S{1,255}/],
    boosts: [{ when: TRANSIT_TLS, by: 10 }],
    score: 86,
    fix: (e) => ({
      summary: "Set tls_server_name (or the host in address) to a name the certificate is valid for, or reissue the certificate with the name the seal dials.",
      commands: [`openssl s_client -connect ${sq(hostPort(e))} </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName`],
    }),
    sources: ["openbao api/client.go configureTLS (TLSServerName); observed on OpenBao 2.6.2"],
  },
  {
    id: "transit.tls_expired",
    cause: "tls_error",
    providers: ["transit"],
    title: "The transit cluster's certificate has expired (or this host's clock is wrong)",
    explanation: "Go refuses a certificate outside its validity period: renew the transit cluster's listener certificate, or fix the clock here.",
    patterns: [/x509: certificate has expired or is not yet valid/],
    boosts: [{ when: TRANSIT_TLS, by: 10 }],
    score: 86,
    fix: (e) => ({
      summary: "Renew the transit cluster's listener certificate (and reload it: SIGHUP), or correct this host's clock.",
      commands: [`openssl s_client -connect ${sq(hostPort(e))} </dev/null 2>/dev/null | openssl x509 -noout -dates`, "date -u"],
    }),
    sources: ["observed on OpenBao 2.6.2 (test/transit/transit-tls.test.ts)"],
  },
]);
