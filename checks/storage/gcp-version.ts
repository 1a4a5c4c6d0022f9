// The Cloud KMS crypto key VERSION that wrapped the root key in storage (issue 21, gcpckms variant). The gcpckms
// wrapper records the version's full name as the BlobInfo's KeyInfo.key_id (openbao/go-kms-wrapping
// wrappers/gcpckms v2.3.0 gcpckms.go Encrypt: KeyId = EncryptResponse.Name, "projects/P/locations/L/keyRings/R/
// cryptoKeys/K/cryptoKeyVersions/V", Mechanism GcpCkmsEnvelopeAesGcmEncrypt), but Decrypt sends only the configured
// key's name (s.parentName) and the wrapped data key: Cloud KMS picks the version from the ciphertext
// (https://cloud.google.com/kms/docs/re-encrypt-data). So:
//   - after a rotation the restart decrypts with the OLD version: disabled, scheduled for destruction or destroyed,
//     it answers FAILED_PRECONDITION "…/cryptoKeyVersions/1 is not enabled, current state is: DISABLED." and Vault
//     stays sealed, while gcpckms.key (the primary) and gcpckms.round-trip (a fresh Encrypt) are all green;
//   - a different key ring or key in the config is fatal, not a drift that heals: Decrypt under another key's name
//     fails INVALID_ARGUMENT "Decryption failed: verify that 'name' refers to the correct CryptoKey."
// An older version heals at the first unseal: the active node re-wraps the stored keys when the wrapper's KeyId (the
// primary version, gcpckms.go SetConfig/Encrypt) differs from the recorded one (openbao v2.6.0
// vault/seal_autoseal.go upgradeStoredKeys, UpgradeKeys).
// Read-only: one GetCryptoKeyVersion (cloudkms.cryptoKeyVersions.get, in roles/cloudkms.viewer) on the recorded name.
import { defineCheck, type Finding } from "../../src/check.js";
import type { FindingValue, Fix } from "../../src/model.js";
import { keyReference } from "../../src/storage/key-reference.js";

export default defineCheck({
  id: "storage.gcp-version",
  title: "Crypto key version that wrapped the stored root key",
  scope: "seal",
  blocksStart: true,
  when: "storage",
  appliesTo: ["gcpckms"],
  // Credentials are used, not needed: what storage alone shows (unreadable, not initialised, another seal, another key)
  // is reported without them; without them the version's state is an error, never a skip.
  needs: ["gcpckms.config"],
  uses: ["gcpckms.credentials", "gcpckms.key"],
  messages: {
    "unreadable": "Vault's storage {file} could not be read ({reason}): the key version that wrapped the stored root key is unknown.",
    "not-initialised": "{file} holds no seal-wrapped root key: Vault is not initialised and will wait for `operator init`.",
    "seal-type-differs": "The stored keys were sealed by a {stored} seal, but the config's seal is gcpckms: a seal migration is needed, not a restart.",
    "not-gcp": "The stored root key's wrapping key is {keyId}, not a Cloud KMS crypto key version: it was sealed by another seal type.",
    "no-version": "The stored root key was sealed by gcpckms without a recorded key version (mechanism {mechanism}): which version a restart needs cannot be told from storage.",
    "primary-version": "The stored root key was wrapped by version {version} of {key}, the primary version; it is ENABLED.",
    "older-version": "The stored root key was wrapped by version {version} of {key}, not by the primary version {primary}. Version {version} is ENABLED, so a restart decrypts it; it must stay ENABLED until the active node has unsealed once, which re-wraps the stored keys with version {primary}.",
    "enabled": "The stored root key was wrapped by version {version} of {key}; it is ENABLED (the primary version is unknown: gcpckms.key did not run).",
    "key-drift": "The stored root key was wrapped by {stored} (state {state}), but the config's key is {configured}: Vault decrypts with the configured key's name and Cloud KMS refuses another key's ciphertext, so Vault will not unseal.",
    "version-disabled": "The stored root key was wrapped by version {version} of {key}, which is DISABLED (the primary is version {primary}): a restart fails with \"{version_name} is not enabled, current state is: DISABLED\" and Vault stays sealed.",
    "version-destroy-scheduled": "The stored root key was wrapped by version {version} of {key}, which is scheduled for destruction on {destroyTime} (the primary is version {primary}): a restart already fails, and after that date the root key is lost.",
    "version-destroyed": "The stored root key was wrapped by version {version} of {key}, which is DESTROYED{destroyed}: Vault cannot decrypt its root key again.",
    "version-other": "The stored root key was wrapped by version {version} of {key}, which is in state {state}: Cloud KMS decrypts only with ENABLED versions, so Vault will not unseal.",
    "version-not-found": "The stored root key was wrapped by {stored}, which does not exist ({error}): the storage comes from another key or project; Vault will not unseal.",
    "denied": "GetCryptoKeyVersion on {stored}, the version that wrapped the stored root key, was denied ({error}): its state is unknown.",
    "failed": "GetCryptoKeyVersion on {stored} failed: {error}",
    "decrypt-ok": "--decrypt-stored: Cloud KMS decrypted the stored root key's wrapped data key with {key} ({ms} ms), as a restart does; the plaintext was wiped at once.",
    "decrypt-failed": "--decrypt-stored: Cloud KMS Decrypt of the stored root key's wrapped data key with {key} failed ({error}): Vault will not unseal.",
    "decrypt-unavailable": "--decrypt-stored: the wrapped data key for {stored} could not be read again from storage ({reason}); nothing was decrypted.",
  },
  async run(ctx) {
    const stored = ctx.options.storage;
    if (!stored) return { findings: [ctx.report("error", "failed", { stored: "(storage)", error: "no storage was read" })] };
    const where = { file: stored.file, storage_type: stored.location.type, storage_from: stored.location.from };
    if (stored.unreadable) return { findings: [ctx.report("error", "unreadable", { file: stored.file, reason: stored.unreadable }, { details: where })] };
    if (!stored.barrierKeys) return { findings: [ctx.report("warn", "not-initialised", { file: stored.file }, { cause: "vault_not_initialized", details: where })] };
    // Vault 1.15+ seal HA records "multiseal" and one slot per seal (src/storage/blob-info.ts): the gcpckms slot is ours.
    const slot = stored.sealType === "multiseal" ? (stored.barrierKeys.slots ?? []).find((s) => keyReference(s).kind === "gcpckms") : stored.barrierKeys;
    if (stored.sealType && stored.sealType !== "gcpckms" && !(stored.sealType === "multiseal" && slot)) {
      return { findings: [ctx.report("fail", "seal-type-differs", { stored: stored.sealType }, { cause: "seal_migration_error", details: { ...where, stored_seal_type: stored.sealType } })] };
    }
    const recorded = slot?.keyInfo?.keyId ?? "";
    // The version's resource name, split (src/storage/key-reference.ts).
    const ref = slot ? keyReference(slot) : undefined;
    if (ref?.kind !== "gcpckms") {
      // gcpckms.go Decrypt's pre-envelope mechanism GcpCkmsEncrypt (0) records no KeyInfo, hence no version; the
      // check could not look, which is no pass (fail closed).
      if (!recorded && stored.sealType === "gcpckms") {
        return { findings: [ctx.report("error", "no-version", { mechanism: String(slot?.keyInfo?.mechanism ?? 0n) }, { details: { ...where, stored_seal_type: stored.sealType } })] };
      }
      return { findings: [ctx.report("fail", "not-gcp", { keyId: recorded || "(none)" }, { cause: "seal_migration_error", details: where })] };
    }
    const { project, location, keyRing, key: cryptoKey, cryptoKey: recordedKey } = ref;
    const version = String(ref.version);
    const cfg = ctx.need("gcpckms.config");
    const creds = ctx.fact("gcpckms.credentials");
    const keyFacts = ctx.fact("gcpckms.key");
    const primary = keyFacts?.found && keyFacts.name === recordedKey ? keyFacts.primary : undefined;
    const details: Record<string, FindingValue> = {
      ...where, stored_seal_type: stored.sealType ?? null, wrapping_version: recorded, mechanism: String(slot?.keyInfo?.mechanism ?? ""),
      recovery_wrapping_version: stored.recoveryKey?.keyInfo?.keyId ?? null, configured_key: cfg.keyName, primary_version: primary?.id ?? null,
    };
    const { sh } = await import("../../src/shell.js");
    const { callGcp, errorText, memberOf, openKms, protoTime, viewGcpError, VIEWER_ROLE } = await import("../../src/gcp/session.js");
    const { DESTROYED_SUMMARY } = await import("../../src/gcp/version-state.js");
    // Every value below comes from storage or the config: quoted (src/shell.ts).
    const versionCmd = (sub: string) => sh`gcloud kms keys versions ${sub} ${version} --key ${cryptoKey} --keyring ${keyRing} --location ${location} --project ${project}`;
    const args = { version, key: recordedKey, stored: recorded, version_name: recorded, primary: primary?.id ?? "?" };

    let state: string | undefined;
    let answer: { destroyTime?: unknown; destroyEventTime?: unknown } | undefined;
    let failure: Finding | undefined;
    const kms = creds ? await openKms(ctx, creds) : undefined;
    if (!kms) failure = ctx.report("error", "failed", { stored: recorded, error: "no usable Google credentials (see gcpckms.credentials)" }, { details });
    else try {
      const [v] = await callGcp(ctx, () => kms.client.getCryptoKeyVersion({ name: recorded }));
      state = String(v.state ?? "CRYPTO_KEY_VERSION_STATE_UNSPECIFIED");
      answer = v as typeof answer;
      details.wrapping_version_state = state;
    } catch (err) {
      const view = viewGcpError(err);
      const error = errorText(view);
      if (view.network) failure = ctx.report("error", "failed", { stored: recorded, error }, { cause: view.cause, details });
      else if (view.status === "NOT_FOUND") failure = ctx.report("fail", "version-not-found", { stored: recorded, error }, { cause: "key_not_found", details });
      else if (view.status === "PERMISSION_DENIED" && view.cause !== "api_disabled" && view.cause !== "insufficient_scopes") {
        // Vault itself never reads a version (GetCryptoKey at start, then Decrypt), but nothing else tells whether the
        // recorded one is usable: the doctor's own missing read is an error that decides (fail closed).
        const member = memberOf(creds);
        failure = ctx.report("error", "denied", { stored: recorded, error }, {
          cause: "permission_denied", details,
          fix: {
            summary: `Let the identity the doctor runs as read the key's versions (${VIEWER_ROLE}: cloudkms.cryptoKeyVersions.get), or run the doctor as one that may.`,
            commands: [sh`gcloud kms keys add-iam-policy-binding ${cryptoKey} --keyring ${keyRing} --location ${location} --project ${project} --member ${member} --role ${VIEWER_ROLE}`],
          },
        });
      } else failure = ctx.report("error", "failed", { stored: recorded, error }, { cause: view.cause, details, fix: view.fix });
    } finally {
      await kms.close();
    }

    if (recordedKey !== cfg.keyName) {
      // Fatal whatever the version's state; the way back is the config (or a seal migration from the old key).
      const fix: Fix = {
        summary: `Point the seal back at the key that wrapped the stored root key (project ${project}, region ${location}, key_ring ${keyRing}, crypto_key ${cryptoKey}; set in ${cfg.from.crypto_key}), or migrate the seal from that key to the new one; then run the doctor again.`,
        commands: [versionCmd("describe")],
      };
      const drift = ctx.report("fail", "key-drift", { stored: recorded, configured: cfg.keyName, state: state ?? "unknown" }, { cause: "unseal_decrypt_failed", details, fix });
      return { findings: failure && failure.code !== "version-not-found" && failure.code !== "failed" ? [drift, failure] : [drift] };
    }
    if (failure) return { findings: [failure] };

    // --decrypt-stored (off by default): one Decrypt of the stored blob's wrapped data key exactly as a restart sends it
    // (gcpckms.go Decrypt, mechanism GcpCkmsEnvelopeAesGcmEncrypt: DecryptRequest{Name: s.parentName, Ciphertext:
    // KeyInfo.WrappedKey}, no additional authenticated data). The plaintext data key is zeroed as soon as its length is
    // known, never printed, logged or kept (SECURITY.md); the AES-GCM step that would reveal the root key is not done.
    async function decryptProbe(identity: NonNullable<typeof creds>): Promise<Finding> {
      const { readWrappedKey } = await import("../../src/storage/stored-seal.js");
      let wrapped: Buffer | undefined;
      try {
        wrapped = readWrappedKey(stored!, recorded);
      } catch (err) {
        return ctx.report("error", "decrypt-unavailable", { stored: recorded, reason: (err as Error).message }, { details });
      }
      if (!wrapped) return ctx.report("error", "decrypt-unavailable", { stored: recorded, reason: "the entry changed since it was read, or holds no wrapped key" }, { details });
      const probe = await openKms(ctx, identity);
      const started = Date.now();
      try {
        const [out] = await callGcp(ctx, () => probe.client.decrypt({ name: cfg.keyName, ciphertext: wrapped }));
        const plain = out.plaintext;
        const got = plain !== null && plain !== undefined && plain.length > 0;
        if (plain instanceof Uint8Array) plain.fill(0);
        out.plaintext = null;
        if (!got) return ctx.report("fail", "decrypt-failed", { key: cfg.keyName, error: "Cloud KMS returned no plaintext" }, { details });
        return ctx.report("pass", "decrypt-ok", { key: cfg.keyName, ms: Date.now() - started }, { details });
      } catch (err) {
        const view = viewGcpError(err);
        return ctx.report(view.network ? "error" : "fail", "decrypt-failed", { key: cfg.keyName, error: errorText(view) }, { cause: view.cause, details });
      } finally {
        wrapped.fill(0);
        await probe.close();
      }
    }

    const destroyTime = protoTime(answer?.destroyTime as never);
    const destroyedAt = protoTime(answer?.destroyEventTime as never) ?? destroyTime;
    switch (state) {
      case "ENABLED": {
        const pass = ctx.report("pass", !primary ? "enabled" : primary.id === version ? "primary-version" : "older-version", args, { details });
        return { findings: ctx.options.decryptStored && creds ? [pass, await decryptProbe(creds)] : [pass] };
      }
      case "DISABLED":
        return { findings: [ctx.report("fail", "version-disabled", args, {
          cause: "key_disabled", details,
          fix: { summary: `Enable version ${version} again; disable it only after Vault has unsealed once (it then re-wraps the stored keys with the primary version).`, commands: [versionCmd("enable")], docs: "https://cloud.google.com/kms/docs/enable-disable" },
        })] };
      case "DESTROY_SCHEDULED":
        return { findings: [ctx.report("fail", "version-destroy-scheduled", { ...args, destroyTime: destroyTime ?? "?" }, {
          cause: "key_pending_deletion", details,
          fix: { summary: `Restore version ${version} before ${destroyTime ?? "its destroy time"} (this leaves it DISABLED), then enable it.`, commands: [versionCmd("restore"), versionCmd("enable")], docs: "https://cloud.google.com/kms/docs/destroy-restore" },
        })] };
      case "DESTROYED":
        return { findings: [ctx.report("fail", "version-destroyed", { ...args, destroyed: destroyedAt ? ` (since ${destroyedAt})` : "" }, {
          cause: "key_destroyed", details,
          fix: {
            summary: `Version ${version} is destroyed: ${DESTROYED_SUMMARY}`,
            commands: [sh`gcloud kms keys versions list --key ${cryptoKey} --keyring ${keyRing} --location ${location} --project ${project}`, "vault status   # on every node: one still unsealed holds the root key in memory; keep it running"],
            docs: "https://cloud.google.com/kms/docs/destroy-restore",
          },
        })] };
      default:
        return { findings: [ctx.report("fail", "version-other", { ...args, state: state ?? "?" }, { cause: "key_disabled", details })] };
    }
  },
});
