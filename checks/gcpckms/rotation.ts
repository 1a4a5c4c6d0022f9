// Automatic rotation adds a new primary version; older versions stay and still decrypt what they wrapped.
// That is also the trap: Vault's stored root key may be wrapped by an older version, so disabling or
// destroying old versions after a rotation breaks unseal. Advisory.
// Fields: CryptoKey.rotation_period and next_rotation_time (google/cloud/kms/v1/resources.proto); both are
// needed to turn rotation on (https://cloud.google.com/kms/docs/rotate-key#automatic).
import { defineCheck } from "../../src/check.js";
import { keyFlags, type GcpConfigFacts, type GcpKeyFacts } from "../../src/gcp/session.js";

const OLD_VERSIONS = "Keep older versions ENABLED: Vault's stored root key may be wrapped by one of them, and disabling it after a rotation breaks unseal.";

export default defineCheck({
  id: "gcpckms.rotation",
  title: "Key rotation",
  scope: "seal",
  oldSeal: "skip", // the old seal no longer encrypts or rotates; migrate.old-seal-decrypt proves its Decrypt
  appliesTo: ["gcpckms"],
  needs: ["gcpckms.config", "gcpckms.key"],
  advisory: true,
  messages: {
    "enabled": "Automatic rotation is on: every {days} days, next at {next}. {oldVersions}",
    "off": "Automatic rotation is off for {name}. {oldVersions}",
    "not-applicable": "Key {name} is not an ENCRYPT_DECRYPT key: Cloud KMS rotates only symmetric keys automatically.",
    "no-key": "The key was not found: nothing to rotate.",
  },
  async run(ctx) {
    const cfg = ctx.need("gcpckms.config");
    const key = ctx.need("gcpckms.key");
    if (!key.found) return { findings: [ctx.report("skip", "no-key")] };
    if (key.purpose !== "ENCRYPT_DECRYPT") return { findings: [ctx.report("skip", "not-applicable", { name: key.name })] };
    if (key.rotationPeriodSeconds && key.nextRotationTime) {
      const days = Math.round(key.rotationPeriodSeconds / 86400);
      return { findings: [ctx.report("pass", "enabled", { days, next: key.nextRotationTime, oldVersions: OLD_VERSIONS }, {
        details: { rotation_period_days: days, next_rotation_time: key.nextRotationTime },
      })] };
    }
    const next = new Date(Date.now() + 90 * 86400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { findings: [ctx.report("warn", "off", { name: key.name, oldVersions: OLD_VERSIONS }, {
      details: { rotation_period: key.rotationPeriodSeconds ?? null, next_rotation_time: key.nextRotationTime ?? null },
      fix: {
        summary: `Turn on automatic rotation (every 90 days here). ${OLD_VERSIONS}`,
        commands: [`gcloud kms keys update ${cfg.cryptoKey} ${keyFlags(cfg)} --rotation-period 90d --next-rotation-time ${next}`],
        docs: "https://cloud.google.com/kms/docs/rotate-key#automatic",
      },
    })] };
  },
});
