// TestIamPermissions on the key, for the three permissions Vault really uses (cloudkms.cryptoKeys.get at
// startup, useToEncrypt, useToDecrypt) and for Vault's own startup set. Vault's check passes if ANY of its
// five is granted (go-kms-wrapping wrappers/gcpckms keyPermissions), so viewPublicKey alone lets Vault
// start and then fail at Encrypt: this check says so. The call needs no permission of its own.
import { defineCheck, type Finding } from "../../src/check.js";
import {
  callGcp, ENCRYPTER_DECRYPTER_ROLE, errorText, grantFix, memberOf, openKms, viewGcpError, VIEWER_ROLE,
  type GcpConfigFacts, type GcpCredentialFacts, type GcpKeyFacts, type GcpPermissionFacts,
} from "../../src/gcp/session.js";

const GET = "cloudkms.cryptoKeys.get";
const ENCRYPT = "cloudkms.cryptoKeyVersions.useToEncrypt";
const DECRYPT = "cloudkms.cryptoKeyVersions.useToDecrypt";
/** go-kms-wrapping wrappers/gcpckms/gcpckms.go keyPermissions. */
export const VAULT_STARTUP_PERMISSIONS = [
  "cloudkms.cryptoKeyVersions.useToSign",
  "cloudkms.cryptoKeyVersions.useToVerify",
  "cloudkms.cryptoKeyVersions.viewPublicKey",
  DECRYPT,
  ENCRYPT,
];
const VAULT_PERMISSIONS_ERROR = "permissions check failed - ensure the service account has at least roles/cloudkms.cryptoKeyEncrypterDecrypter permissions (for encryption keys) or roles/cloudkms.signerVerifier permissions (for signing keys)";

export default defineCheck({
  id: "gcpckms.permissions",
  title: "IAM permissions on the key",
  scope: "seal",
  blocksStart: true,
  appliesTo: ["gcpckms"],
  needs: ["gcpckms.config", "gcpckms.credentials", "gcpckms.api-enabled"],
  uses: ["gcpckms.key"],
  messages: {
    "granted": "{member} holds {permission} on the key.",
    "missing-get": "{member} lacks {permission} on the key: Vault's startup GetCryptoKey fails with \"error checking key existence: ... PermissionDenied\".",
    "missing-get-not-required": "{member} lacks {permission}; key_not_required = true skips Vault's startup GetCryptoKey, so this is not needed.",
    "missing": "{member} lacks {permission} on the key: Vault cannot {action}.",
    "vault-check-passes": "Vault's own startup check would pass ({granted} is one of the five permissions it accepts), but {missing} {verb} missing: Vault starts, then fails to encrypt or unseal.",
    "vault-check-fails": "None of Vault's five startup permissions is granted: Vault fails at startup with \"{vaultError}\".",
    "no-key": "The key does not exist: no permissions to test.",
    "failed": "TestIamPermissions failed: {error}",
  },
  async run(ctx) {
    const cfg = ctx.need("gcpckms.config");
    const creds = ctx.need("gcpckms.credentials");
    const key = ctx.fact("gcpckms.key");
    if (key && !key.found) return { findings: [ctx.report("skip", "no-key")] };
    const member = memberOf(creds);
    const kms = await openKms(ctx, creds);
    let granted: string[];
    try {
      const asked = [...new Set([GET, ENCRYPT, DECRYPT, ...VAULT_STARTUP_PERMISSIONS])];
      // The client's typings ask for the protobuf class here; a plain object is what goes on the wire.
      const [answer] = await callGcp(ctx, () => kms.client.testIamPermissions({ resource: cfg.keyName, permissions: asked } as never));
      granted = (answer.permissions ?? []).map(String);
    } catch (err) {
      const view = viewGcpError(err);
      return { findings: [ctx.report(view.network || view.cause === "unknown" ? "error" : "fail", "failed", { error: errorText(view) }, { cause: view.cause, fix: view.fix })] };
    } finally {
      await kms.close();
    }

    const findings: Finding[] = [];
    const has = (p: string) => granted.includes(p);
    const missingUse = [ENCRYPT, DECRYPT].filter((p) => !has(p));
    for (const p of [GET, ENCRYPT, DECRYPT]) {
      if (has(p)) {
        findings.push(ctx.report("pass", "granted", { member, permission: p }));
      } else if (p === GET) {
        findings.push(ctx.report(cfg.keyNotRequired ? "pass" : "fail", cfg.keyNotRequired ? "missing-get-not-required" : "missing-get", { member, permission: p }, cfg.keyNotRequired ? {} : {
          cause: "permission_denied",
          fix: grantFix(cfg, member, [VIEWER_ROLE], `Grant ${member} ${VIEWER_ROLE} on the key (it holds cloudkms.cryptoKeys.get, which ${ENCRYPTER_DECRYPTER_ROLE} lacks).`),
        }));
      } else {
        findings.push(ctx.report("fail", "missing", { member, permission: p, action: p === ENCRYPT ? "encrypt (init, rekey, seal migration)" : "decrypt its root key, so it cannot unseal" }, {
          cause: "permission_denied",
          fix: grantFix(cfg, member, [ENCRYPTER_DECRYPTER_ROLE], `Grant ${member} ${ENCRYPTER_DECRYPTER_ROLE} on the key.`),
        }));
      }
    }
    const startupGranted = VAULT_STARTUP_PERMISSIONS.filter(has);
    if (startupGranted.length === 0) {
      findings.push(ctx.report("fail", "vault-check-fails", { vaultError: VAULT_PERMISSIONS_ERROR }, {
        cause: "permission_denied",
        fix: grantFix(cfg, member, [ENCRYPTER_DECRYPTER_ROLE, ...(has(GET) ? [] : [VIEWER_ROLE])], `Grant ${member} ${ENCRYPTER_DECRYPTER_ROLE}${has(GET) ? "" : ` and ${VIEWER_ROLE}`} on the key.`),
      }));
    } else if (missingUse.length > 0) {
      findings.push(ctx.report("fail", "vault-check-passes", { granted: startupGranted.join(", "), missing: missingUse.join(" and "), verb: missingUse.length > 1 ? "are" : "is" }, {
        cause: "permission_denied",
        fix: grantFix(cfg, member, [ENCRYPTER_DECRYPTER_ROLE], `Grant ${member} ${ENCRYPTER_DECRYPTER_ROLE} on the key.`),
      }));
    }
    // Findings that only repeat the grant fix are noise next to the verdict; keep each command once.
    return { findings: dedupeFixes(findings), facts: { granted } };
  },
});

/** The same gcloud command on several findings is printed once, on the first. */
function dedupeFixes(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.map((f) => {
    if (!f.fix) return f;
    const fresh = f.fix.commands.filter((c) => !seen.has(c));
    for (const c of fresh) seen.add(c);
    if (fresh.length === f.fix.commands.length) return f;
    if (fresh.length === 0) return { ...f, fix: undefined };
    return { ...f, fix: { ...f.fix, commands: fresh } };
  });
}
