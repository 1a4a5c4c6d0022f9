// The old (disabled) awskms seal during a migration: Vault must still Decrypt the root key it wrapped, with
// no KeyId and no encryption context (go-kms-wrapping wrappers/awskms/awskms.go Decrypt;
// docs/vault-seal-facts.md#awskms-requests). Encrypt is not needed
// any more, and a decrypt-only key policy is legitimate, so a denied Encrypt is not a failure here.
import { defineCheck } from "../../src/check.js";
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
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const arn = ctx.fact("awskms.key-state")?.keyArn ?? region.key.raw;
    const opts = clientOptions(ctx, region, creds);
    const trip = await kmsRoundTrip(opts, region.key.raw);
    if (trip.ok) return { findings: [ctx.report("pass", "decrypt-ok", { arn: trip.keyArn ?? arn, ms: trip.ms })] };
    if (trip.failedStep === "Compare") {
      return { findings: [ctx.report("fail", "failed", { step: "Compare", arn, error: "Decrypt returned different bytes than were encrypted" })] };
    }
    const step = trip.failedStep!;
    const view = viewAwsError(trip.error);
    const error = `${view.name}: ${view.message}`;
    if (view.network) return { findings: [ctx.report("error", "network", { step, arn, error }, { cause: view.cause, fix: view.fix })] };
    const denied = view.name === "AccessDeniedException";
    const fix = {
      summary: "Keep kms:Decrypt and kms:DescribeKey on the old key for Vault's role until the migration is complete on every node.",
      commands: [`aws kms get-key-policy --key-id ${arn} --policy-name default --region ${region.region}`],
    };
    if (denied && step === "Encrypt") return { findings: [ctx.report("warn", "decrypt-unproven", { arn, error }, { cause: "permission_denied", fix })] };
    if (denied) return { findings: [ctx.report("fail", "decrypt-denied", { arn, error }, { cause: "permission_denied", fix })] };
    return { findings: [ctx.report("fail", "failed", { step, arn, error }, { cause: view.cause, fix: view.fix })] };
  },
});
