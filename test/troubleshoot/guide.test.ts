// The troubleshooting table of the product's origin guide (AWS KMS Troubleshooting: Error | Fix),
// each row mapped to its fix.
import { describe, expect, it } from "vitest";
import { explainText } from "../../src/troubleshoot/index.js";

describe("origin guide troubleshooting table", () => {
  it("`not authorized to perform kms:Decrypt` -> attach the KMS policy to the (IRSA or node) role", () => {
    const [d] = explainText("not authorized to perform kms:Decrypt");
    expect(d.cause).toBe("permission_denied");
    expect(d.fix?.commands[0]).toMatch(/^aws iam put-role-policy --role-name "\$ROLE_NAME" --policy-name vault-kms-unseal --policy-document '.*"kms:Decrypt".*'$/);
  });

  it("`NoCredentialProviders` -> IRSA annotation missing / node role", () => {
    const [d] = explainText("NoCredentialProviders");
    expect(d.cause).toBe("no_credentials");
    expect(d.fix?.commands[0]).toContain("annotate serviceaccount");
    expect(d.fix?.commands[0]).toContain("eks.amazonaws.com/role-arn=");
  });

  it("`KMSKeyNotFoundException` -> verify the key with describe-key", () => {
    const [d] = explainText("KMSKeyNotFoundException");
    expect(d.cause).toBe("key_not_found");
    expect(d.fix?.commands[0]).toBe('aws kms describe-key --key-id "$KEY_ARN" --region "$REGION"');
  });

  it("`UPGRADE FAILED: conflict with \"eksctl\"` -> delete the eksctl ServiceAccount, re-run helm upgrade", () => {
    const [d] = explainText('Error: UPGRADE FAILED: conflict with "eksctl"');
    expect(d.cause).toBe("web_identity_failed");
    expect(d.fix?.commands[0]).toBe('kubectl delete serviceaccount "$VAULT_SERVICE_ACCOUNT" -n "$VAULT_NAMESPACE"');
    expect(d.fix?.commands[1]).toMatch(/^helm upgrade /);
  });

  it("`no IAM OIDC provider associated` -> eksctl utils associate-iam-oidc-provider", () => {
    const [d] = explainText("no IAM OIDC provider associated");
    expect(d.cause).toBe("web_identity_failed");
    expect(d.fix?.commands[0]).toBe('eksctl utils associate-iam-oidc-provider --region "$REGION" --cluster "$CLUSTER" --approve');
    const [filled] = explainText("[!]  no IAM OIDC provider associated with cluster, try 'eksctl utils associate-iam-oidc-provider --region=us-east-1 --cluster=eks-cluster'");
    expect(filled.fix?.commands[0]).toBe("eksctl utils associate-iam-oidc-provider --region us-east-1 --cluster eks-cluster --approve");
  });
});
