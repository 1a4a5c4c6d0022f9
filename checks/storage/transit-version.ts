// The transit key version that wrapped the root key in storage (issue 21, transit variant). The transit wrapper
// stores transit's own ciphertext "vault:v<N>:..." as the BlobInfo ciphertext and key_id = key_id_prefix + "v<N>"
// (openbao/go-kms-wrapping wrappers/transit v2.6.0 transit.go Encrypt); Decrypt sends that ciphertext back to
// <mount>/decrypt/<key_name>, so a restart needs version N of the configured key to be decryptable: transit refuses
// a version below min_decryption_version and has no version above latest_version or below min_available_version
// (openbao builtin/logical/transit/path_keys.go pathPolicyRead; sdk/helper/keysutil/policy.go Decrypt: "ciphertext
// or signature version is disallowed by policy (too old)"). The key name is not recorded: it is the config's
// key_name. Drift heals at the first unseal (vault/seal_autoseal.go UpgradeKeys re-wraps with the current version).
// Read-only: one GET <mount>/keys/<key_name> with the seal's token.
import { defineCheck } from "../../src/check.js";
import type { FindingValue } from "../../src/model.js";

export default defineCheck({
  id: "storage.transit-version",
  title: "Transit key version that wrapped the stored root key",
  scope: "seal",
  blocksStart: true,
  when: "storage",
  oldSeal: "skip",
  appliesTo: ["transit"],
  needs: ["transit.address"],
  messages: {
    "unreadable": "Vault's storage {file} could not be read ({reason}): the key version that wrapped the stored root key is unknown.",
    "not-initialised": "{file} holds no seal-wrapped root key: Vault is not initialised and will wait for `operator init`.",
    "seal-type-differs": "The stored keys were sealed by a {stored} seal, but the config's seal is transit: a seal migration is needed, not a restart.",
    "not-transit": "The stored root key's ciphertext is not a transit ciphertext (key id {keyId}): it was sealed by another seal type.",
    "ok": "The stored root key was wrapped with version {version} of {key} (min_decryption_version {minDecrypt}, latest {latest}): transit can still decrypt it.",
    "below-min-decryption": "The stored root key was wrapped with version {version} of {key}, below its min_decryption_version {minDecrypt}: transit refuses to decrypt it and Vault will not unseal.",
    "trimmed": "The stored root key was wrapped with version {version} of {key}, but versions below {minAvailable} were trimmed: it can never be decrypted again.",
    "future-version": "The stored root key was wrapped with version {version}, but {key} has only {latest}: it was wrapped by another key of that name (restored storage, or a deleted and re-created key); Vault will not unseal.",
    "key-missing": "The stored root key was wrapped with version {version} of {key}, which does not exist on {mount}: Vault will not unseal.",
    "failed": "Reading {path} failed: {error}",
  },
  async run(ctx) {
    const stored = ctx.options.storage;
    if (!stored) return { findings: [ctx.report("error", "failed", { path: "(storage)", error: "no storage was read" })] };
    const where = { file: stored.file, storage_type: stored.location.type, storage_from: stored.location.from };
    if (stored.unreadable) return { findings: [ctx.report("error", "unreadable", { file: stored.file, reason: stored.unreadable }, { details: where })] };
    if (!stored.barrierKeys) return { findings: [ctx.report("warn", "not-initialised", { file: stored.file }, { cause: "vault_not_initialized", details: where })] };
    const slot = stored.sealType === "multiseal" ? (stored.barrierKeys.slots ?? []).find((s) => s.transitVersion !== undefined) : stored.barrierKeys;
    if (stored.sealType && stored.sealType !== "transit" && !(stored.sealType === "multiseal" && slot)) {
      return { findings: [ctx.report("fail", "seal-type-differs", { stored: stored.sealType }, { cause: "seal_migration_error", details: { ...where, stored_seal_type: stored.sealType } })] };
    }
    const keyId = slot?.keyInfo?.keyId ?? "";
    const version = slot?.transitVersion;
    if (version === undefined) return { findings: [ctx.report("fail", "not-transit", { keyId: keyId || "(none)" }, { cause: "seal_migration_error", details: where })] };

    const { settings } = ctx.need("transit.address");
    if (!settings.mountPath || !settings.keyName) return { findings: [ctx.report("error", "failed", { path: "(mount_path/key_name)", error: "mount_path and key_name are needed" })] };
    const { dataOf, failureText, transitCall } = await import("../../src/transit/client.js");
    const { joinPath } = await import("../../src/transit/settings.js");
    const { sq, vaultCmd } = await import("../../src/transit/fix.js");
    const mount = joinPath(settings.mountPath.value);
    const key = settings.keyName.value;
    const path = joinPath(mount, "keys", key);
    const addr = settings.address.value;
    const details: Record<string, FindingValue> = { ...where, stored_seal_type: stored.sealType ?? null, wrapping_key_id: keyId, wrapping_version: version, recovery_wrapping_key_id: stored.recoveryKey?.keyInfo?.keyId ?? null, transit_key: key, transit_mount: mount };
    const k = await transitCall(settings, "GET", path, undefined, { timeoutMs: ctx.options.callTimeoutMs, signal: ctx.signal });
    if (!k.ok) return { findings: [ctx.report("error", "failed", { path, error: failureText(k) }, { cause: "network_unreachable", details })] };
    if (k.status === 404 && k.json !== undefined && !k.errors.some((e) => /no handler for route/i.test(e))) {
      return { findings: [ctx.report("fail", "key-missing", { version, key, mount }, { cause: "key_not_found", details })] };
    }
    if (k.status !== 200) {
      // Only a denied read is the doctor's own missing permission (Vault's seal token needs no read on the key).
      const denied = k.status === 403;
      return { findings: [ctx.report("error", "failed", { path, error: k.errors.join("; ") || `HTTP ${k.status}` }, { details: { ...details, http_status: k.status }, ...(denied ? { doctorPermission: `read on ${path}` } : {}) })] };
    }
    const d = dataOf(k);
    const latest = Number(d.latest_version ?? 0);
    const minDecrypt = Number(d.min_decryption_version ?? 0);
    const minAvailable = Number(d.min_available_version ?? 0);
    Object.assign(details, { latest_version: latest, min_decryption_version: minDecrypt, min_available_version: minAvailable });
    const args = { version, key, latest, minDecrypt };
    // Causes as `explain` reads OpenBao's own error for these (conformance stored:transit-*): transit refuses to
    // decrypt what the key encrypted ("ciphertext or signature version is disallowed by policy (too old)").
    if (version > latest) return { findings: [ctx.report("fail", "future-version", args, { cause: "unseal_decrypt_failed", details })] };
    if (minAvailable > 0 && version < minAvailable) return { findings: [ctx.report("fail", "trimmed", { ...args, minAvailable }, { cause: "key_destroyed", details })] };
    if (version < minDecrypt) {
      return { findings: [ctx.report("fail", "below-min-decryption", args, {
        cause: "unseal_decrypt_failed", details,
        fix: {
          summary: `Lower min_decryption_version to ${version} so transit decrypts the stored root key again; raise it after Vault has unsealed once (it then re-wraps the stored keys with version ${latest}).`,
          commands: [vaultCmd(addr, `write ${sq(joinPath(path, "config"))} min_decryption_version=${version}`)],
        },
      })] };
    }
    return { findings: [ctx.report("pass", "ok", args, { details })] };
  },
});
