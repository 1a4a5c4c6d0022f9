// The verdict: what Vault does at init and at every unseal. Encrypt a fresh random 32-byte data key with the
// crypto key's name (Cloud KMS picks the primary version) and NO additional authenticated data, Decrypt it
// with the same name, compare (go-kms-wrapping wrappers/gcpckms Encrypt/Decrypt). The probe is never printed.
// With a user-supplied context (--kms-context), a second trip adds it as AAD; Vault itself never sends AAD.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { defineCheck, type Finding } from "../../src/check.js";
import type { GcpKmsClient } from "../../src/clients/gcp.js";
import {
  callGcp, ENCRYPTER_DECRYPTER_ROLE, errorText, grantFix, memberOf, openKms, viewGcpError,
  type GcpConfigFacts, type GcpCredentialFacts, type GcpKeyFacts,
} from "../../src/gcp/session.js";
import type { CheckContext } from "../../src/check.js";
import { createSymmetricKeyFix, parseVersionNotEnabled, versionStateVerdict } from "../../src/gcp/version-state.js";

type Step = "Encrypt" | "Decrypt" | "Compare";

/** Encrypt then Decrypt; returns the failing step and error, or the version that encrypted. */
async function roundTrip(ctx: CheckContext, kms: GcpKmsClient, name: string, aad?: Buffer): Promise<{ ok: true; version: string } | { ok: false; step: Step; err?: unknown }> {
  const probe = randomBytes(32);
  let step: Step = "Encrypt";
  try {
    const [enc] = await callGcp(ctx, () => kms.client.encrypt({ name, plaintext: probe, ...(aad ? { additionalAuthenticatedData: aad } : {}) }));
    step = "Decrypt";
    const [dec] = await callGcp(ctx, () => kms.client.decrypt({ name, ciphertext: enc.ciphertext, ...(aad ? { additionalAuthenticatedData: aad } : {}) }));
    const plain = dec.plaintext ? Buffer.from(dec.plaintext as Uint8Array) : Buffer.alloc(0);
    if (plain.length !== probe.length || !timingSafeEqual(plain, probe)) return { ok: false, step: "Compare" };
    return { ok: true, version: String(enc.name ?? name) };
  } catch (err) {
    return { ok: false, step, err };
  }
}

export default defineCheck({
  id: "gcpckms.round-trip",
  title: "Round trip as Vault does it",
  scope: "seal",
  oldSeal: "skip", // the old seal no longer encrypts or rotates; migrate.old-seal-decrypt proves its Decrypt
  blocksStart: true,
  appliesTo: ["gcpckms"],
  // Not gated on gcpckms.key: when GetCryptoKey is denied, Encrypt and Decrypt may still work (or fail in their own way).
  needs: ["gcpckms.config", "gcpckms.credentials", "gcpckms.api-enabled"],
  uses: ["gcpckms.key"],
  messages: {
    "ok": "Encrypt and Decrypt of a random 32-byte key with no AAD work, as Vault does them (version {version}, {ms} ms).",
    "encrypt-denied": "Encrypt was denied: {error}. Vault cannot initialise, rekey or migrate to this seal.",
    "decrypt-denied": "Decrypt was denied: {error}. Vault cannot unseal.",
    "encrypt-failed": "Encrypt failed: {error}",
    "decrypt-failed": "Decrypt failed: {error}. Vault cannot unseal.",
    "mismatch": "Decrypt returned different bytes than were encrypted.",
    "network": "{step} did not complete: {error}",
    "no-key": "The key does not exist: nothing to encrypt with.",
    "aad-ok": "With additional authenticated data {aad} the round trip works too (Vault itself sends none).",
    "aad-failed": "With additional authenticated data {aad} the round trip fails at {step}: {error}. Vault sends no AAD, so this does not affect unsealing.",
  },
  async run(ctx) {
    const cfg = ctx.need("gcpckms.config");
    const creds = ctx.need("gcpckms.credentials");
    const key = ctx.fact("gcpckms.key");
    if (key && !key.found) return { findings: [ctx.report("skip", "no-key")] };
    const kms = await openKms(ctx, creds);
    try {
      const started = performance.now();
      const vault = await roundTrip(ctx, kms, cfg.keyName);
      if (!vault.ok) return { findings: [failure(ctx, cfg, creds, vault.step, vault.err)] };
      const findings: Finding[] = [ctx.report("pass", "ok", { version: vault.version.split("/").pop(), ms: Math.round(performance.now() - started) }, { details: { key_version: vault.version, aad: "none" } })];
      // The user's context as AAD: the --kms-context pairs sorted by key and joined as k=v,k=v, so the
      // same pairs always give the same bytes.
      const context = ctx.options.kmsContext;
      if (context && Object.keys(context).length > 0) {
        const aadText = Object.keys(context).sort().map((k) => `${k}=${context[k]}`).join(",");
        const withAad = await roundTrip(ctx, kms, cfg.keyName, Buffer.from(aadText, "utf8"));
        if (withAad.ok) findings.push(ctx.report("pass", "aad-ok", { aad: aadText }));
        else {
          const view = withAad.err ? viewGcpError(withAad.err) : undefined;
          findings.push(ctx.report(view?.network ? "error" : "warn", "aad-failed", { aad: aadText, step: withAad.step, error: view ? errorText(view) : "different bytes" }, { cause: view?.cause }));
        }
      }
      return { findings };
    } finally {
      await kms.close();
    }
  },
});

function failure(ctx: CheckContext, cfg: GcpConfigFacts, creds: GcpCredentialFacts, step: Step, err: unknown): Finding {
  if (step === "Compare") return ctx.report("fail", "mismatch", {}, { cause: "unseal_decrypt_failed" });
  const view = viewGcpError(err);
  const error = errorText(view);
  if (view.network) return ctx.report("error", "network", { step, error }, { cause: view.cause });
  const denied = view.status === "PERMISSION_DENIED" && view.cause === "permission_denied";
  if (denied) {
    const member = memberOf(creds);
    return ctx.report("fail", step === "Encrypt" ? "encrypt-denied" : "decrypt-denied", { error }, {
      cause: "permission_denied",
      fix: grantFix(cfg, member, [ENCRYPTER_DECRYPTER_ROLE], `Grant ${member} ${ENCRYPTER_DECRYPTER_ROLE} on the key.`),
    });
  }
  // FAILED_PRECONDITION: a version that is not ENABLED, or a key that is not ENCRYPT_DECRYPT (Vault checks neither).
  const notEnabled = parseVersionNotEnabled(view.message);
  const wrongPurpose = view.status === "FAILED_PRECONDITION" && /purpose/i.test(view.message);
  const verdict = notEnabled
    ? versionStateVerdict(cfg, notEnabled.versionId, notEnabled.state)
    : wrongPurpose
      ? { cause: "key_wrong_usage_or_spec", fix: createSymmetricKeyFix(cfg, `Create a symmetric key for Vault and set crypto_key to it (in ${cfg.from.crypto_key}).`) }
      : { cause: view.cause, fix: view.fix };
  return ctx.report("fail", step === "Encrypt" ? "encrypt-failed" : "decrypt-failed", { error }, verdict);
}
