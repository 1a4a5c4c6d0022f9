// Live SDK errors are classified by name/code first, message second, with the same causes as text.
// These are hand-built error objects shaped like the SDKs' (no wire is involved in classification).
import { describe, expect, it } from "vitest";
import { classifyError, explainText } from "../../src/troubleshoot/index.js";

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: status } });
}

describe("classifyError", () => {
  it("AWS AccessDeniedException: permission_denied with the role and key from the message", () => {
    const err = awsError(
      "AccessDeniedException",
      "User: arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0abc is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    const d = classifyError(err, "awskms");
    expect(d.cause).toBe("permission_denied");
    expect(d.ruleId).toBe("aws.kms_action_denied");
    expect(d.entities).toMatchObject({ roleName: "vault-unseal", action: "kms:Decrypt", region: "us-east-1" });
  });

  it("AWS error names alone are enough", () => {
    expect(classifyError(awsError("DisabledException", ""), "awskms").cause).toBe("key_disabled");
    expect(classifyError(awsError("KMSInvalidStateException", "arn:aws:kms:us-east-1:111122223333:key/k is pending deletion."), "awskms").cause).toBe("key_pending_deletion");
    expect(classifyError(awsError("NotFoundException", "Alias arn:aws:kms:us-east-1:111122223333:alias/vault is not found."), "awskms").cause).toBe("key_not_found");
    expect(classifyError(awsError("ThrottlingException", "Rate exceeded"), "awskms").cause).toBe("throttled");
    expect(classifyError(awsError("InvalidKeyUsageException", ""), "awskms").cause).toBe("key_wrong_usage_or_spec");
    expect(classifyError(awsError("ExpiredTokenException", "The security token included in the request is expired", 400), "awskms").cause).toBe("expired_credentials");
    expect(classifyError(awsError("UnrecognizedClientException", "The security token included in the request is invalid."), "awskms").cause).toBe("invalid_credentials");
  });

  it("AWS credential provider failure (JS SDK v3)", () => {
    const err = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError", tryNextLink: false });
    expect(classifyError(err, "awskms").cause).toBe("no_credentials");
  });

  it("InvalidSignatureException with 'Signature expired' is clock skew, not bad credentials", () => {
    const err = awsError("InvalidSignatureException", "Signature expired: 20240820T230143Z is now earlier than 20240820T230302Z (20240820T230802Z - 5 min.)");
    expect(classifyError(err, "awskms").cause).toBe("clock_skew");
  });

  it("gRPC (google-gax) errors: numeric code plus details", () => {
    const denied = {
      code: 7,
      details: "Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource 'projects/acme/locations/global/keyRings/vault/cryptoKeys/unseal' (or it may not exist).",
      message: "7 PERMISSION_DENIED: Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource 'projects/acme/locations/global/keyRings/vault/cryptoKeys/unseal' (or it may not exist).",
    };
    const d = classifyError(denied, "gcpckms");
    expect(d.cause).toBe("permission_denied");
    expect(d.entities).toMatchObject({ project: "acme", location: "global", keyRing: "vault", cryptoKey: "unseal", permission: "cloudkms.cryptoKeyVersions.useToEncrypt" });
    expect(d.provider).toBe("gcpckms");

    expect(classifyError({ code: 5, details: "CryptoKey projects/acme/locations/global/keyRings/vault/cryptoKeys/nope not found.", message: "5 NOT_FOUND: CryptoKey projects/acme/locations/global/keyRings/vault/cryptoKeys/nope not found." }, "gcpckms").cause).toBe("key_not_found");
    expect(classifyError({ code: 16, details: "Request had invalid authentication credentials.", message: "16 UNAUTHENTICATED: Request had invalid authentication credentials." }, "gcpckms").cause).toBe("invalid_credentials");
    expect(classifyError({ code: 14, details: "No connection established", message: "14 UNAVAILABLE: No connection established" }, "gcpckms").cause).toBe("network_unreachable");
    const disabled = { code: 7, details: "Cloud Key Management Service (KMS) API has not been used in project 773781448124 before or it is disabled.", message: "7 PERMISSION_DENIED: Cloud Key Management Service (KMS) API has not been used in project 773781448124 before or it is disabled." };
    expect(classifyError(disabled, "gcpckms").cause).toBe("api_disabled");
  });

  it("Node system errors", () => {
    const err = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8200"), { code: "ECONNREFUSED", syscall: "connect" });
    expect(classifyError(err, "transit").cause).toBe("network_unreachable");
    const tls = Object.assign(new Error("unable to verify the first certificate"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    expect(classifyError(tls, "transit").cause).toBe("tls_error");
  });

  it("agrees with explainText on the same failure", () => {
    const msg = "Alias arn:aws:kms:us-west-2:111122223333:alias/vault-us is not found.";
    expect(classifyError(awsError("NotFoundException", msg), "awskms").cause).toBe(explainText(`NotFoundException: ${msg}`)[0].cause);
  });

  it("never throws and says unknown when nothing matches", () => {
    for (const weird of [undefined, null, 42, "", {}, Object.create(null), { get message(): string { throw new Error("boom"); } }, new Error("something odd")]) {
      const d = classifyError(weird, "awskms");
      expect(d.cause).toBe("unknown");
      expect(d.provider).toBe("awskms");
    }
  });
});
