// transit seal: errors from the upstream Vault's API (`Error making API request. URL: ... Code: N.
// Errors: * ...`) and from the wrapper (go-kms-wrapping wrappers/transit/transit_client.go).
import { defineRules, valueOr, type Entities } from "../rule.js";

const TRANSIT_403 = /URL: (?:PUT|POST) \S{1,500}\/(?:encrypt|decrypt)\/\S{1,200}\s{0,5}Code: 403/;

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
    boosts: [{ when: /renew-self|token (?:is )?expired|invalid token/, by: 20 }],
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
]);
