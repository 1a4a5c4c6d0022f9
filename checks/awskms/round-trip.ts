// The verdict: what Vault does at init and at every unseal. Encrypt a fresh random 32-byte data key with
// the configured key id and NO encryption context, then Decrypt the blob with no KeyId and no context, and
// compare (go-kms-wrapping wrappers/awskms/awskms.go Encrypt/Decrypt; docs/vault-seal-facts.md#awskms-requests).
// The probe is never printed.
import { awsNetworkFix, unreachableText } from "../../src/fixes/network.js";
import { defineCheck } from "../../src/check.js";
import { kmsRoundTrip } from "../../src/aws/probe.js";
import { accessDeniedFix, clientOptions, resourceArnIn, viewAwsError, type CredentialFacts, type IdentityFacts, type KeyFacts, type RegionKeyFacts, type RoundTripFacts } from "../../src/aws/session.js";

export default defineCheck({
  id: "awskms.round-trip",
  title: "Round trip as Vault does it",
  scope: "seal",
  oldSeal: "skip", // the old seal no longer encrypts or rotates; migrate.old-seal-decrypt proves its Decrypt
  blocksStart: true,
  appliesTo: ["awskms"],
  // Not gated on key-state: when DescribeKey is denied or the key is disabled, the round trip still shows
  // exactly what Encrypt and Decrypt answer, which the kms_context comparison needs.
  needs: ["awskms.region-key", "awskms.credentials"],
  uses: ["awskms.identity", "awskms.key-state"],
  messages: {
    "ok": "Encrypt and Decrypt of a random 32-byte key with no encryption context work, as Vault does them ({ms} ms).",
    "encrypt-denied": "Encrypt was denied: {error}. Vault cannot initialise, rekey or migrate to this seal.",
    "decrypt-denied": "Decrypt was denied: {error}. Vault cannot unseal.",
    "encrypt-failed": "Encrypt failed: {error}",
    "decrypt-failed": "Decrypt failed: {error}. Vault cannot unseal.",
    "mismatch": "Decrypt returned different bytes than were encrypted.",
    "network": "{step} did not complete: {error}",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const keyArn = ctx.fact("awskms.key-state")?.keyArn ?? region.key.raw;
    const roleName = ctx.fact("awskms.identity")?.roleName;
    const trip = await kmsRoundTrip(clientOptions(ctx, region, creds), region.key.raw);
    if (trip.ok) {
      return {
        findings: [ctx.report("pass", "ok", { ms: trip.ms }, { details: { key_arn: trip.keyArn ?? keyArn, ciphertext_bytes: trip.ciphertextBytes ?? 0 } })],
        facts: { ok: true, keyArn: trip.keyArn ?? keyArn },
      };
    }
    if (trip.failedStep === "Compare") return { findings: [ctx.report("fail", "mismatch", {}, { cause: "unseal_decrypt_failed" })], facts: { ok: false, failedStep: "Compare" as const } };
    const step = trip.failedStep as "Encrypt" | "Decrypt";
    const view = viewAwsError(trip.error);
    const error = `${view.name}: ${view.message}`;
    const facts: RoundTripFacts = { ok: false, failedStep: step, errorName: view.name, cause: view.cause, keyArn: resourceArnIn(view.message) };
    if (view.network) return { findings: [ctx.report("error", "network", { step, error: view.name === "EndpointDeadError" ? error : unreachableText("kms", clientOptions(ctx, region, creds), view.name) }, { cause: view.cause, fix: awsNetworkFix("kms", clientOptions(ctx, region, creds)) })], facts };
    const denied = view.name === "AccessDeniedException";
    const code = denied ? (step === "Encrypt" ? "encrypt-denied" : "decrypt-denied") : step === "Encrypt" ? "encrypt-failed" : "decrypt-failed";
    const fix = denied ? accessDeniedFix(view.message, keyArn, roleName) : view.fix;
    return { findings: [ctx.report("fail", code, { error }, { cause: denied ? "permission_denied" : view.cause, fix })], facts };
  },
});
