// GetCryptoKey, the call Vault makes at startup ("error checking key existence: ..."). Vault checks neither
// the purpose nor the primary version: an ASYMMETRIC key or a DISABLED / DESTROY_SCHEDULED / DESTROYED
// primary only fails later, at Encrypt (FAILED_PRECONDITION), so the doctor checks both here.
// Cloud KMS answers PERMISSION_DENIED "(or it may not exist)" to callers without the permission, and
// NOT_FOUND only to callers who may see the parent; on NOT_FOUND the key ring is looked up to say which
// part of the name is wrong, and other locations are tried for a key ring of that name.
import { sh, shq } from "../../src/shell.js";
import { defineCheck, type Finding } from "../../src/check.js";
import { formatProvenance } from "../../src/config/seal-config.js";
import { findKeyRingLocationsFrom } from "../../src/gcp/kms-locations.js";
import { createSymmetricKeyFix, versionStateVerdict } from "../../src/gcp/version-state.js";
import {
  callGcp, ENCRYPTER_DECRYPTER_ROLE, errorText, grantFix, keyFlags, memberOf, openKms, protoSeconds, protoTime, viewGcpError, VIEWER_ROLE,
  type GcpConfigFacts, type GcpCredentialFacts, type GcpKeyFacts,
} from "../../src/gcp/session.js";

export default defineCheck({
  id: "gcpckms.key",
  title: "Crypto key and primary version",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["gcpckms"],
  needs: ["gcpckms.config", "gcpckms.credentials", "gcpckms.api-enabled"],
  messages: {
    "ok": "Key {name}: purpose ENCRYPT_DECRYPT, primary version {version} ENABLED, protection level {protection}.",
    "wrong-purpose": "Key {name} has purpose {purpose} ({algorithm}): Vault's gcpckms seal needs a symmetric ENCRYPT_DECRYPT key. Vault does not check this at startup; Encrypt fails later.",
    "no-primary": "Key {name} has no primary version: Encrypt has nothing to use.",
    "primary-disabled": "The primary version {version} of {name} is DISABLED: Encrypt and Decrypt fail with FAILED_PRECONDITION, so Vault cannot unseal.",
    "primary-destroy-scheduled": "The primary version {version} of {name} is scheduled for destruction on {destroyTime}: crypto operations already fail, and after that date whatever it wrapped (Vault's root key) is lost.",
    "primary-destroyed": "The primary version {version} of {name} is DESTROYED{destroyed}: it cannot be restored; a root key it wrapped cannot be decrypted any more.",
    "primary-other": "The primary version {version} of {name} is in state {state}.",
    "not-found": "Key {name} does not exist: key ring {keyRing} in {location} holds no key {cryptoKey}. Vault fails at startup with \"error checking key existence: ... NotFound\".",
    "key-ring-not-found": "Key ring {keyRing} does not exist in location {location} of project {project}, so neither does the key. Vault fails at startup with \"error checking key existence: ... NotFound\".",
    "wrong-location": "Key ring {keyRing} is not in location {location} (the seal's region, from {from}) but in {found}: region must name the key ring's location.",
    "denied": "GetCryptoKey was denied: {error}. Cloud KMS says the same for a key that does not exist and for a caller without cloudkms.cryptoKeys.get, so it may be either. Vault fails at startup with \"error checking key existence\".",
    "denied-not-required": "GetCryptoKey was denied ({error}); key_not_required = true lets Vault start without it.",
    "failed": "GetCryptoKey failed: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("gcpckms.config");
    const creds = ctx.need("gcpckms.credentials");
    const kms = await openKms(ctx, creds);
    const name = cfg.keyName;
    try {
      let key;
      try {
        [key] = await callGcp(ctx, () => kms.client.getCryptoKey({ name }));
      } catch (err) {
        return await explainFailure(err);
      }
      const purpose = String(key.purpose ?? "CRYPTO_KEY_PURPOSE_UNSPECIFIED");
      const primary = key.primary ?? undefined;
      const primaryId = primary?.name ? primary.name.split("/").pop()! : undefined;
      const state = primary?.state ? String(primary.state) : undefined;
      const protection = String(primary?.protectionLevel ?? key.versionTemplate?.protectionLevel ?? "SOFTWARE");
      const algorithm = String(primary?.algorithm ?? key.versionTemplate?.algorithm ?? "?");
      const facts: GcpKeyFacts = {
        name,
        found: true,
        purpose,
        protectionLevel: protection,
        algorithm,
        primary: primary?.name && primaryId && state ? { name: primary.name, id: primaryId, state } : undefined,
        rotationPeriodSeconds: protoSeconds(key.rotationPeriod),
        nextRotationTime: protoTime(key.nextRotationTime),
      };
      const details = { name, purpose, protection_level: protection, algorithm, primary_version: primaryId ?? null, primary_state: state ?? null };
      const findings: Finding[] = [];
      if (purpose !== "ENCRYPT_DECRYPT") {
        findings.push(ctx.report("fail", "wrong-purpose", { name, purpose, algorithm }, {
          cause: "key_wrong_usage_or_spec", details,
          fix: createSymmetricKeyFix(cfg, `Create a symmetric key for Vault (a key's purpose cannot change) and set crypto_key to it (in ${cfg.from.crypto_key}).`),
        }));
      } else if (!primary || !primaryId) {
        findings.push(ctx.report("fail", "no-primary", { name }, {
          cause: "key_disabled", details,
          fix: { summary: "Create a version and make it primary.", commands: [`gcloud kms keys versions create --key ${cfg.cryptoKey} ${keyFlags(cfg)} --primary`] },
        }));
      } else {
        const args = { name, version: primaryId, state };
        if (state !== "ENABLED") {
          const verdict = versionStateVerdict(cfg, primaryId, state ?? "?");
          const code = state === "DISABLED" ? "primary-disabled" : state === "DESTROY_SCHEDULED" ? "primary-destroy-scheduled" : state === "DESTROYED" ? "primary-destroyed" : "primary-other";
          const when = protoTime(primary.destroyEventTime) ?? protoTime(primary.destroyTime);
          findings.push(ctx.report("fail", code, { ...args, destroyTime: protoTime(primary.destroyTime) ?? "?", destroyed: when ? ` (since ${when})` : "" }, { cause: verdict.cause, details, fix: verdict.fix }));
        }
      }
      if (findings.every((f) => f.status !== "fail")) findings.unshift(ctx.report("pass", "ok", { name, version: primaryId, protection }, { details }));
      return { findings, facts };
    } finally {
      await kms.close();
    }

    async function explainFailure(err: unknown) {
      const view = viewGcpError(err);
      const error = errorText(view);
      if (view.network) return { findings: [ctx.report("error", "failed", { error }, { cause: view.cause })] };
      if (view.status === "NOT_FOUND") {
        const notFound: GcpKeyFacts = { name, found: false };
        let ringExists = false;
        try {
          await callGcp(ctx, () => kms.client.getKeyRing({ name: cfg.keyRingName }));
          ringExists = true;
        } catch {
          /* NOT_FOUND (or denied): look elsewhere */
        }
        if (ringExists) {
          return { facts: notFound, findings: [ctx.report("fail", "not-found", { name, keyRing: cfg.keyRing, location: cfg.location, cryptoKey: cfg.cryptoKey }, {
            cause: "key_not_found",
            fix: {
              summary: `List the keys of ${cfg.keyRing} and set crypto_key (in ${cfg.from.crypto_key}) to the key Vault was initialised with; create one only for a new Vault.`,
              commands: [`gcloud kms keys list ${keyFlags(cfg)}`, `gcloud kms keys create ${cfg.cryptoKey} ${keyFlags(cfg)} --purpose encryption   # new Vault only`],
            },
          })] };
        }
        const search = await findKeyRingLocationsFrom(ctx, kms, cfg.project, cfg.keyRing, cfg.location);
        const elsewhere = search.found;
        if (elsewhere.length > 0) {
          const found = elsewhere[0]!;
          const regionFrom = ctx.seal!.values.region!.from;
          return { facts: notFound, findings: [ctx.report("fail", "wrong-location", { keyRing: cfg.keyRing, location: cfg.location, from: cfg.from.region, found: elsewhere.join(", ") }, {
            cause: "wrong_region",
            details: { configured_location: cfg.location, key_ring_locations: elsewhere, locations_from: search.source },
            fix: {
              summary: `Set the seal's region to ${found}, the key ring's location.`,
              commands: [
                regionFrom.kind === "env" ? `export ${regionFrom.name}=${shq(found)}` : `# in ${formatProvenance(regionFrom)}:\nregion = ${JSON.stringify(found)}`,
                sh`gcloud kms keys describe ${cfg.cryptoKey} --keyring ${cfg.keyRing} --location ${found} --project ${cfg.project}`,
              ],
            },
          })] };
        }
        return { facts: notFound, findings: [ctx.report("fail", "key-ring-not-found", { keyRing: cfg.keyRing, location: cfg.location, project: cfg.project }, {
          cause: "key_not_found",
          fix: { summary: "Find the key ring's real name and location (region in the seal stanza is the KMS location).", commands: [`gcloud kms keyrings list --location ${cfg.location} --project ${cfg.project}`, `gcloud kms locations list --project ${cfg.project}`] },
        })] };
      }
      if (view.status === "PERMISSION_DENIED" && view.cause !== "api_disabled" && view.cause !== "insufficient_scopes") {
        const member = memberOf(creds);
        const fix = grantFix(cfg, member, [VIEWER_ROLE, ENCRYPTER_DECRYPTER_ROLE], `If the key exists, grant ${member} ${VIEWER_ROLE} (cloudkms.cryptoKeys.get, Vault's startup check) and ${ENCRYPTER_DECRYPTER_ROLE} on it; check the name with an account that can see the project.`);
        fix.commands.push(`gcloud kms keys describe ${cfg.cryptoKey} ${keyFlags(cfg)}   # as a project owner: does the key exist?`);
        return { findings: [ctx.report(cfg.keyNotRequired ? "warn" : "fail", cfg.keyNotRequired ? "denied-not-required" : "denied", { error }, { cause: "permission_denied", fix })] };
      }
      return { findings: [ctx.report(view.cause === "unknown" ? "error" : "fail", "failed", { error }, { cause: view.cause, fix: view.fix })] };
    }
  },
});
