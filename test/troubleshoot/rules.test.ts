// Table-driven: every rule has at least one real sample; the sample's first diagnosis is that rule's
// cause (and rule), with the entities an operator needs for the fix.
import { describe, expect, it } from "vitest";
import { CAUSE_IDS, RULES, explainText } from "../../src/troubleshoot/index.js";
import { RULE_SAMPLES } from "./samples.js";

describe("troubleshooting table", () => {
  it("has unique rule ids, known causes, a source and a fix for every rule", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(CAUSE_IDS).toContain(r.cause);
      expect(r.sources.length).toBeGreaterThan(0);
      expect(r.fix({}).summary.length).toBeGreaterThan(0);
    }
  });

  it("has a sample for every rule", () => {
    const covered = new Set(RULE_SAMPLES.flatMap((s) => [s.rule, ...(s.also ?? [])]));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  describe.each(RULE_SAMPLES.map((s) => [s.rule, s] as const))("%s", (_id, sample) => {
    it(`names ${sample.cause} first (${sample.source})`, () => {
      const [best] = explainText(sample.text);
      expect(best?.cause).toBe(sample.cause);
      expect(best?.ruleId).toBe(sample.rule);
      expect(best?.entities).toMatchObject(sample.entities ?? {});
      expect(best?.fix?.summary).toBeTruthy();
      const offered = explainText(sample.text).map((d) => d.ruleId);
      for (const rule of sample.also ?? []) expect(offered.indexOf(rule)).toBeGreaterThan(0);
    });
  });
});

describe("messages with several causes are ranked and explained", () => {
  it("alias not found: wrong alias first, wrong region second", () => {
    const text = "NotFoundException: Alias arn:aws:kms:us-west-2:<account_id>:alias/vault-us is not found.";
    const d = explainText(text);
    expect(d.map((x) => x.cause)).toEqual(["key_not_found", "wrong_region"]);
    expect(d[0].distinguishing).toMatch(/another region/);
    expect(d[1].fix?.commands[0]).toContain("describe-key --key-id 'arn:aws:kms:us-west-2:<account_id>:alias/vault-us'");
  });

  it("node role denied on Kubernetes: IRSA not in effect first, policy second", () => {
    const text =
      "kubectl logs vault-0\nError parsing Seal configuration: error fetching AWS KMS wrapping key information: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0a62ba7ace1d8158f is not authorized to perform: kms:DescribeKey on resource: arn:aws:kms:eu-central-1:123456789012:key/dd6269bb-2857-4c75-9e7b-407e1a4278c9";
    const d = explainText(text);
    expect(d.map((x) => x.cause)).toEqual(["web_identity_failed", "permission_denied"]);
    expect(d[0].entities.nodeRoleName).toBe("eks-node-role");
    expect(d[0].distinguishing).toMatch(/i-/);
  });

  it("node role denied outside Kubernetes: the IAM policy first", () => {
    const text = "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/vault-unseal/i-0abc12345678 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(explainText(text).map((x) => x.cause)).toEqual(["permission_denied", "web_identity_failed"]);
  });

  it("InvalidCiphertextException in a Vault unseal log: stored blob first, context second", () => {
    const d = explainText('failed to unseal core: error="fetching stored unseal keys failed: failed to decrypt encrypted stored keys: InvalidCiphertextException: "');
    expect(d.slice(0, 2).map((x) => x.cause)).toEqual(["unseal_decrypt_failed", "encryption_context_mismatch"]);
  });

  it("GCP PermissionDenied '(or it may not exist)': permission first, not found second", () => {
    const d = explainText("rpc error: code = PermissionDenied desc = Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource 'projects/p1/locations/global/keyRings/r/cryptoKeys/k' (or it may not exist).");
    expect(d.map((x) => x.cause)).toEqual(["permission_denied", "key_not_found"]);
    expect(d[0].distinguishing).toMatch(/or it may not exist/);
  });

  it("transit 403 on encrypt (OpenBao 2.6.2's real forms): the ACL's multierror is the policy, OpenBao's bare denial the token", () => {
    const acl = explainText("URL: PUT https://v:8200/v1/transit/encrypt/autounseal\nCode: 403. Errors:\n\n* 1 error occurred:\n\t* permission denied\n\n");
    expect(acl.map((x) => x.cause)).toEqual(["permission_denied", "expired_credentials"]);
    const bare = explainText('Error configuring seal "transit": Error making API request.\n\nURL: PUT https://v:8200/v1/transit/encrypt/autounseal\nCode: 403. Errors:\n\n* permission denied');
    expect(bare.map((x) => x.cause)).toEqual(["expired_credentials", "permission_denied"]);
    // Vault's wording (hashicorp/vault#14833): no evidence which it is, the policy stays first.
    const vault = explainText("URL: PUT https://v:8200/v1/transit/encrypt/autounseal\nCode: 403. Errors:\n* permission denied");
    expect(vault.map((x) => x.cause)).toEqual(["permission_denied", "expired_credentials"]);
  });
});

describe("fix commands are filled from the text", () => {
  it("builds the least-privilege put-role-policy for the denied role and key", () => {
    const keyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const [d] = explainText(`User: arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0abc is not authorized to perform: kms:Decrypt on resource: ${keyArn}`);
    expect(d.cause).toBe("permission_denied");
    expect(d.entities).toMatchObject({
      principalArn: "arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0abc",
      roleName: "vault-unseal",
      account: "111122223333",
      action: "kms:Decrypt",
      keyArn,
      region: "us-east-1",
    });
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "VaultKmsUnseal", Effect: "Allow", Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], Resource: keyArn }],
    });
    expect(d.fix?.commands[0]).toBe(`aws iam put-role-policy --role-name vault-unseal --policy-name vault-kms-unseal --policy-document '${policy}'`);
    expect(d.fix?.commands[1]).toContain("--region us-east-1");
  });

  it("uses obvious placeholders for what the text does not say", () => {
    const [d] = explainText("NoCredentialProviders: no valid providers in chain");
    expect(d.fix?.commands.join("\n")).toContain('"$VAULT_SERVICE_ACCOUNT"');
    const [g] = explainText("rpc error: code = PermissionDenied desc = Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied on resource 'projects/acme/locations/global/keyRings/vault/cryptoKeys/unseal'");
    expect(g.fix?.commands[0]).toBe(
      'gcloud kms keys add-iam-policy-binding unseal --keyring vault --location global --project acme --member serviceAccount:"$SERVICE_ACCOUNT_EMAIL" --role roles/cloudkms.cryptoKeyEncrypterDecrypter',
    );
  });

  it("tolerates a terminal that wrapped an ARN in the middle", () => {
    const [d] = explainText("AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/vault-unseal/i-0abc is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:1111222\n  23333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    expect(d.entities.keyArn).toBe("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  });

  it("returns [] for text that names no known problem", () => {
    expect(explainText("2024-05-01T10:00:00.000Z [INFO]  core: vault is unsealed")).toEqual([]);
    expect(explainText("")).toEqual([]);
  });
});
