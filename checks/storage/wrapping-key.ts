// The key that actually wrapped the root key in storage (issue 21). Every other check proves the configured
// key works today; a restart decrypts core/hsm/barrier-unseal-keys, which the awskms wrapper sealed with the
// key recorded in the blob (go-kms-wrapping wrappers/awskms/awskms.go: Encrypt stores KMS's KeyId, the key ARN;
// Decrypt sends only the wrapped data key, so KMS picks the key from the blob: the restart needs kms:Decrypt
// on the recorded key, whatever kms_key_id says now). Drift heals itself at the first successful unseal: the active
// node re-wraps the stored keys and recovery key with the configured key (openbao v2.6.0 vault/seal_autoseal.go
// UpgradeKeys/upgradeStoredKeys, called from vault/core.go postUnseal) - so the danger is the restart before that.
// Read-only: one DescribeKey on the recorded ARN. With --decrypt-stored (off by default), also one KMS Decrypt of
// the stored blob's wrapped data key (KeyInfo.wrapped_key), exactly the call a restart makes (awskms.go Decrypt:
// CiphertextBlob only, no KeyId, no context); the plaintext data key is zeroed as soon as its length is known,
// never printed, logged or kept (SECURITY.md). The AES-GCM step that would reveal the root key is not done.
import { defineCheck, type Finding } from "../../src/check.js";
import type { KeyFacts } from "../../src/aws/session.js";
import type { FindingValue } from "../../src/model.js";

export default defineCheck({
  id: "storage.wrapping-key",
  title: "Key that wrapped the stored root key",
  scope: "seal",
  blocksStart: true,
  // Only when a storage was read (the config's storage stanza, or --storage-path): src/storage/stored-seal.ts.
  when: "storage",
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials"],
  uses: ["awskms.key-state"],
  messages: {
    "unreadable": "Vault's storage {file} could not be read ({reason}): the key that wrapped the stored root key is unknown.",
    "not-initialised": "{file} holds no seal-wrapped root key: Vault is not initialised and will wait for `operator init`.",
    "seal-type-differs": "The stored keys were sealed by a {stored} seal, but the config's seal is awskms: a seal migration is needed, not a restart.",
    "not-aws": "The stored root key's wrapping key is {keyId}, not an AWS KMS key ARN: it was sealed by another seal type.",
    "same-key": "The stored root key was wrapped by {stored}, the configured key ({configured}); it is Enabled.",
    "drift": "The configured key {configured} is {configuredArn}, but the stored root key was wrapped by {stored}. A restart decrypts with {stored}: it must stay Enabled and Vault's identity needs kms:Decrypt on it until the active node has unsealed once, which re-wraps the stored keys with the configured key.",
    "drift-unresolved": "The stored root key was wrapped by {stored}; the configured key {configured} could not be resolved to an ARN to compare. A restart needs kms:Decrypt on {stored}.",
    "recorded-disabled": "The key that wrapped the stored root key, {stored}, is Disabled: Vault cannot decrypt its root key and will not unseal.",
    "recorded-pending-deletion": "The key that wrapped the stored root key, {stored}, is pending deletion on {date}: Vault will not unseal, and after that date the data is lost.",
    "recorded-other-state": "The key that wrapped the stored root key, {stored}, is in state {state}: Vault will not unseal.",
    "recorded-not-found": "The key that wrapped the stored root key, {stored}, was not found ({error}): it is in another account or region, or was deleted; Vault will not unseal with it.",
    "recorded-denied": "DescribeKey on the key that wrapped the stored root key, {stored}, was denied ({error}): its state is unknown.",
    "failed": "DescribeKey on the recorded key {stored} failed: {error}",
    "decrypt-ok": "--decrypt-stored: KMS decrypted the stored root key's wrapped data key with {stored} ({ms} ms), as a restart does; the plaintext was wiped at once.",
    "decrypt-failed": "--decrypt-stored: KMS Decrypt of the stored root key's wrapped data key failed ({error}): Vault will not unseal.",
    "decrypt-unavailable": "--decrypt-stored: the wrapped data key for {stored} could not be read again from storage ({reason}); nothing was decrypted.",
  },
  async run(ctx) {
    const stored = ctx.options.storage;
    // `when: "storage"` keeps the runner from calling this without one; if it did, that is no pass.
    if (!stored) return { findings: [ctx.report("error", "failed", { stored: "(none)", error: "no storage was read" })] };
    const where = { file: stored.file, storage_type: stored.location.type, storage_from: stored.location.from };
    // Named by the config but not readable by this user: the run was told to read it and could not, so it fails
    // closed (error, never a pass or a skip); --storage-path to a readable copy, or --skip storage.*, decides.
    if (stored.unreadable) return { findings: [ctx.report("error", "unreadable", { file: stored.file, reason: stored.unreadable }, { details: where })] };
    if (!stored.barrierKeys) return { findings: [ctx.report("warn", "not-initialised", { file: stored.file }, { cause: "vault_not_initialized", details: where })] };
    // Vault 1.15+ seal HA (Enterprise) records "multiseal" and one slot per seal (src/storage/blob-info.ts): the
    // awskms slot is the one this seal decrypts.
    const isArn = (id: string | undefined) => /^arn:aws[a-z-]*:kms:/.test(id ?? "");
    const slot = stored.sealType === "multiseal" ? (stored.barrierKeys.slots ?? []).find((s) => isArn(s.keyInfo?.keyId)) : stored.barrierKeys;
    if (stored.sealType && stored.sealType !== "awskms" && !(stored.sealType === "multiseal" && slot)) {
      return { findings: [ctx.report("fail", "seal-type-differs", { stored: stored.sealType }, { cause: "seal_migration_error", details: { ...where, stored_seal_type: stored.sealType } })] };
    }
    const recorded = slot?.keyInfo?.keyId ?? "";
    const details: Record<string, FindingValue> = { ...where, stored_seal_type: stored.sealType ?? null, wrapping_key: recorded, mechanism: String(slot?.keyInfo?.mechanism ?? ""), recovery_wrapping_key: stored.recoveryKey?.keyInfo?.keyId ?? null };
    if (stored.barrierKeys.slots) details.stored_slots = stored.barrierKeys.slots.map((s) => s.keyInfo?.keyId ?? "");
    const arnMatch = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/.exec(recorded);
    if (!arnMatch) return { findings: [ctx.report("fail", "not-aws", { keyId: recorded || "(none)" }, { cause: "seal_migration_error", details })] };
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const keyState = ctx.fact("awskms.key-state") as KeyFacts | undefined;
    const configured = region.key.raw;
    const configuredArn = keyState?.keyArn ?? (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(configured) ? configured : undefined);
    details.configured_key = configured;
    details.configured_key_arn = configuredArn ?? null;

    const { clientOptions, viewAwsError } = await import("../../src/aws/session.js");
    const { callAws, createKmsClient } = await import("../../src/clients/aws.js");
    const { DescribeKeyCommand } = await import("@aws-sdk/client-kms");
    // The recorded key lives in the region its ARN names, which may differ from the seal's region.
    const opts = { ...clientOptions(ctx, region, creds), region: arnMatch[2]! };
    if (opts.region !== region.region) opts.kmsEndpoint = region.kmsEndpoint;
    const kms = await createKmsClient(opts);
    const args = { stored: recorded, configured, configuredArn: configuredArn ?? "?" };
    const cmd = (sub: string) => `aws kms ${sub} --key-id ${recorded} --region ${arnMatch[2]}`;
    const findings: Finding[] = [];
    let probe: Finding | undefined;
    const decryptProbe = async (): Promise<Finding> => {
      const { readWrappedKey } = await import("../../src/storage/stored-seal.js");
      const { DecryptCommand } = await import("@aws-sdk/client-kms");
      let wrapped: Buffer | undefined;
      try {
        wrapped = readWrappedKey(stored, recorded);
      } catch (err) {
        return ctx.report("error", "decrypt-unavailable", { stored: recorded, reason: (err as Error).message }, { details });
      }
      if (!wrapped) return ctx.report("error", "decrypt-unavailable", { stored: recorded, reason: "the entry changed since it was read, or holds no wrapped key" }, { details });
      const started = Date.now();
      try {
        const out = await callAws("kms", opts, (abortSignal) => kms.send(new DecryptCommand({ CiphertextBlob: wrapped }), { abortSignal }));
        // The data key: wiped before anything else happens; only that it came back is used.
        const got = (out.Plaintext?.length ?? 0) > 0;
        out.Plaintext?.fill(0);
        out.Plaintext = undefined;
        if (!got) return ctx.report("fail", "decrypt-failed", { stored: recorded, error: "KMS returned no plaintext" }, { details });
        return ctx.report("pass", "decrypt-ok", { stored: recorded, ms: Date.now() - started }, { details: { ...details, decrypted_by: out.KeyId ?? null } });
      } catch (err) {
        const view = viewAwsError(err);
        return ctx.report(view.network ? "error" : "fail", "decrypt-failed", { stored: recorded, error: `${view.name}: ${view.message}` }, { cause: view.cause, details });
      } finally {
        wrapped.fill(0);
      }
    };
    try {
      const out = await callAws("kms", opts, (abortSignal) => kms.send(new DescribeKeyCommand({ KeyId: recorded }), { abortSignal }));
      const m = out.KeyMetadata!;
      details.wrapping_key_state = m.KeyState ?? null;
      switch (m.KeyState) {
        case "Enabled":
          break;
        case "Disabled":
          findings.push(ctx.report("fail", "recorded-disabled", args, { cause: "key_disabled", details, fix: { summary: "Enable the key that wrapped the stored root key.", commands: [cmd("enable-key")] } }));
          break;
        case "PendingDeletion":
          findings.push(ctx.report("fail", "recorded-pending-deletion", { ...args, date: m.DeletionDate?.toISOString() ?? "?" }, {
            cause: "key_pending_deletion", details,
            fix: { summary: "Cancel the deletion (this leaves the key Disabled), then enable it.", commands: [cmd("cancel-key-deletion"), cmd("enable-key")] },
          }));
          break;
        default:
          findings.push(ctx.report("fail", "recorded-other-state", { ...args, state: m.KeyState ?? "?" }, { cause: "key_disabled", details }));
      }
      if (findings.length === 0 && ctx.options.decryptStored) probe = await decryptProbe();
    } catch (err) {
      const view = viewAwsError(err);
      const error = `${view.name}: ${view.message}`;
      if (view.network) findings.push(ctx.report("error", "failed", { ...args, error }, { cause: view.cause, details }));
      else if (view.name === "NotFoundException") findings.push(ctx.report("fail", "recorded-not-found", { ...args, error }, { cause: "key_not_found", details }));
      else if (view.name === "AccessDeniedException") findings.push(ctx.report("error", "recorded-denied", { ...args, error }, { cause: "permission_denied", details }));
      else findings.push(ctx.report("error", "failed", { ...args, error }, { cause: view.cause, details }));
    } finally {
      kms.destroy();
    }
    if (findings.length > 0) return { findings };
    const withProbe = (f: Finding) => ({ findings: probe ? [f, probe] : [f] });
    if (!configuredArn) return withProbe(ctx.report("warn", "drift-unresolved", args, { details }));
    if (configuredArn !== recorded) {
      return withProbe(ctx.report("warn", "drift", args, {
        details,
        fix: { summary: `Keep ${recorded} Enabled, out of deletion, and decryptable by Vault's identity (kms:Decrypt) until the active node has unsealed once with the configured key (it then re-wraps the stored keys); run the doctor again to see same-key before retiring ${recorded}.`, commands: [cmd("describe-key")] },
      }));
    }
    return withProbe(ctx.report("pass", "same-key", args, { details }));
  },
});
