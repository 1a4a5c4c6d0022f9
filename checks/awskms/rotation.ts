// Automatic rotation keeps old key material, so Vault's stored blobs still decrypt after a rotation.
// A caller who may not read the status gets `error` (could not check), never pass.
import { defineCheck } from "../../src/check.js";
import { callAws, createKmsClient } from "../../src/clients/aws.js";
import { clientOptions, viewAwsError, type CredentialFacts, type KeyFacts, type RegionKeyFacts } from "../../src/aws/session.js";

export default defineCheck({
  id: "awskms.rotation",
  title: "Key rotation",
  scope: "seal",
  oldSeal: "skip", // the old seal no longer encrypts or rotates; migrate.old-seal-decrypt proves its Decrypt
  appliesTo: ["awskms"],
  needs: ["awskms.region-key", "awskms.credentials", "awskms.key-state"],
  advisory: true,
  messages: {
    "enabled": "Automatic rotation is on (every {days} days).",
    "disabled": "Automatic rotation is off for {arn}.",
    "denied": "Could not read the rotation status: {error}. Add kms:GetKeyRotationStatus to see it.",
    "failed": "Could not read the rotation status: {error}",
  },
  async run(ctx) {
    const region = ctx.need("awskms.region-key");
    const creds = ctx.need("awskms.credentials");
    const key = ctx.need("awskms.key-state");
    const opts = clientOptions(ctx, region, creds);
    const { GetKeyRotationStatusCommand } = await import("@aws-sdk/client-kms");
    const kms = await createKmsClient(opts);
    try {
      const out = await callAws("kms", opts, (abortSignal) => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyArn }), { abortSignal }));
      if (out.KeyRotationEnabled) return { findings: [ctx.report("pass", "enabled", { days: out.RotationPeriodInDays ?? 365 }, { details: { rotation_period_days: out.RotationPeriodInDays ?? 365, next_rotation: out.NextRotationDate?.toISOString() ?? null } })] };
      return { findings: [ctx.report("warn", "disabled", { arn: key.keyArn }, {
        fix: { summary: "Turn on automatic rotation (old key material stays available, so Vault keeps unsealing).", commands: [`aws kms enable-key-rotation --key-id ${key.keyArn} --rotation-period-in-days 365 --region ${region.region}`] },
      })] };
    } catch (err) {
      const view = viewAwsError(err);
      const error = `${view.name}: ${view.message}`;
      const denied = view.name === "AccessDeniedException";
      // Vault never calls GetKeyRotationStatus: the doctor's own missing permission does not decide the verdict.
      return { findings: [ctx.report("error", denied ? "denied" : "failed", { error }, { cause: view.cause, ...(denied ? { doctorPermission: "kms:GetKeyRotationStatus" } : {}) })] };
    } finally {
      kms.destroy();
    }
  },
});
