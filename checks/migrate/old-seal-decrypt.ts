// The old (disabled) awskms seal during a migration: Vault must still Decrypt the root key it wrapped, with
// no KeyId and no encryption context (go-kms-wrapping wrappers/awskms/awskms.go Decrypt;
// docs/vault-seal-facts.md#awskms-requests). Encrypt is not needed
// any more, and a decrypt-only key policy is legitimate, so a denied Encrypt is not a failure here.
// When Vault's storage was read (--storage-path or the config's storage stanza), the key probed is the one that
// wrapped the stored root key (its ARN in the BlobInfo's key_id, src/storage/blob-info.ts): that is the key the
// migration's Decrypt really uses (KMS picks the key from the ciphertext), whatever the old stanza names.
import { defineCheck, type Finding } from "../../src/check.js";
import type { FindingValue } from "../../src/model.js";
import { kmsRoundTrip } from "../../src/aws/probe.js";
import { clientOptions, viewAwsError, type CredentialFacts, type KeyFacts, type RegionKeyFacts } from "../../src/aws/session.js";

export default defineCheck({
  id: "migrate.old-seal-decrypt",
  title: "Old seal can still decrypt",
  scope: "seal",
  when: "migration",
  oldSeal: "only",
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials"],
  uses: ["awskms.key-state"],
  messages: {
    "decrypt-ok": "The old key {arn} still decrypts (Encrypt then Decrypt with no context, {ms} ms): Vault can read its stored root key during the migration.",
    "decrypt-denied": "Decrypt with the old key {arn} was denied: {error}. Vault cannot read the root key the old seal wrapped, so `vault operator unseal -migrate` will fail.",
    "decrypt-unproven": "Encrypt with the old key {arn} was denied ({error}); a decrypt-only policy may mean that, but then no test ciphertext can be made and Decrypt is not proven. Vault needs kms:Decrypt on this key until every node has migrated.",
    "failed": "{step} with the old key {arn} failed: {error}",
    "network": "{step} with the old key {arn} did not complete: {error}",
    "stored-other-seal": "The stored root key was wrapped by {stored}, not by an AWS KMS key: the migration from this awskms seal may already be done, or the storage is another cluster's. The old key was checked as configured.",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const configuredArn = ctx.fact("awskms.key-state")?.keyArn ?? region.key.raw;
    // The key that wrapped the stored root key, when storage was read: the one the migration decrypts with.
    const stored = ctx.options.storage;
    const blob = stored?.barrierKeys;
    const storedArn = (blob?.slots ?? (blob ? [blob] : [])).map((b) => b.keyInfo?.keyId ?? "").find((id) => /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//.test(id));
    const before: Finding[] = [];
    if (stored && blob && !storedArn) {
      before.push(ctx.report("warn", "stored-other-seal", { stored: blob.keyInfo?.keyId || stored.sealType || "?" }, { details: { file: stored.file, stored_seal_type: stored.sealType ?? null } }));
    }
    const details: Record<string, FindingValue> = { key_source: storedArn ? "stored" : "configured", configured_key: region.key.raw, configured_key_arn: configuredArn };
    // The stored key lives in the region its ARN names, which may differ from the old stanza's region.
    const opts = { ...clientOptions(ctx, region, creds), ...(storedArn ? { region: storedArn.split(":")[3]! } : {}) };
    if (opts.region !== region.region) opts.kmsEndpoint = region.kmsEndpoint;
    if (storedArn) details.stored_key = storedArn;
    const arn = storedArn ?? configuredArn;
    const trip = await kmsRoundTrip(opts, storedArn ?? region.key.raw);
    const verdict = (): Finding[] => {
      if (trip.ok) return [ctx.report("pass", "decrypt-ok", { arn: trip.keyArn ?? arn, ms: trip.ms })];
      if (trip.failedStep === "Compare") return [ctx.report("fail", "failed", { step: "Compare", arn, error: "Decrypt returned different bytes than were encrypted" })];
      const step = trip.failedStep!;
      const view = viewAwsError(trip.error);
      const error = `${view.name}: ${view.message}`;
      if (view.network) return [ctx.report("error", "network", { step, arn, error }, { cause: view.cause, fix: view.fix })];
      const denied = view.name === "AccessDeniedException";
      const fix = {
        summary: "Keep kms:Decrypt and kms:DescribeKey on the old key for Vault's role until the migration is complete on every node.",
        commands: [`aws kms get-key-policy --key-id ${arn} --policy-name default --region ${opts.region}`],
      };
      if (denied && step === "Encrypt") return [ctx.report("warn", "decrypt-unproven", { arn, error }, { cause: "permission_denied", fix })];
      if (denied) return [ctx.report("fail", "decrypt-denied", { arn, error }, { cause: "permission_denied", fix })];
      return [ctx.report("fail", "failed", { step, arn, error }, { cause: view.cause, fix: view.fix })];
    };
    return { findings: [...before, ...verdict().map((f) => ({ ...f, details: { ...details, ...f.details } }))] };
  },
});
